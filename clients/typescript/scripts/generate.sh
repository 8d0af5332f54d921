#!/bin/sh
# Regenerates src/gen/ of @chatkeep/client from the service's current OpenAPI document
# (dumped from the app in-process) with the generator pinned in package.json.
#   clients/typescript/scripts/generate.sh            # rewrite src/gen/
#   clients/typescript/scripts/generate.sh /tmp/out   # write elsewhere (the drift test)
# Needs `npm ci` in clients/ first (make clients-node does it).
set -eu
pkg=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$pkg/../.." && pwd)
out=${1:-$pkg/src/gen}
doc=$(mktemp "${TMPDIR:-/tmp}/chatkeep-openapi-XXXXXX.json")
trap 'rm -f "$doc"' EXIT
"$root/.venv/bin/python" "$pkg/scripts/dump_openapi.py" > "$doc"
cd "$pkg"
OPENAPI_FILE="$doc" OPENAPI_OUT="$out" npm run --silent generate >/dev/null
