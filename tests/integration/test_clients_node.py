"""The Node packages under clients/ against a real ChatKeep: @chatkeep/client (every
resource, pages, problems, webhook signatures) and @chatkeep/builderbot inside real
BuilderBot bots (a restart mid-flow, two instances), run with `node --test`; they install from their `npm pack`
tarballs side by side, depending on each other by version."""
import fcntl
import json
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.conftest import ADMIN_TOKEN
from tests.integration.processes import ROOT, Service, create_tenant

pytestmark = pytest.mark.slow
CLIENTS = ROOT / "clients"
ENV = {"CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "OUTBOUND_ALLOW_PRIVATE": "true", "WEBHOOK_RETRY_BASE_S": "1",
       "SNAPSHOT_INTERVAL_S": "0", "AUTH_FAILURE_LIMIT": "100000"}


@pytest.fixture(scope="module")
def node_packages():
    """`make clients-node`: npm ci when the lock file changed, a build when the sources
    did (nothing when both are current). One at a time across xdist workers."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node and npm are not installed: the Node clients are not tested")
    with open(ROOT / "clients" / ".stamp-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = subprocess.run(["make", "-s", "-C", str(ROOT), "clients-node"], capture_output=True, text=True,
                              timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return CLIENTS


def _node_test(files: list[str], env: dict, cwd: Path) -> str:
    done = subprocess.run(["node", "--test", *files], cwd=cwd, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-8000:]
    return output


def _count(output: str, name: str) -> int:
    return int(re.search(rf"^# {name} (\d+)$", output, re.M).group(1))


def test_the_node_client_and_builderbot_adapter_against_a_running_chatkeep(node_packages, tmp_path, database_uri):
    with Service(tmp_path, {**ENV, "MONGODB_URI": database_uri}) as service:
        tenant = create_tenant(service.url, "nodeclients")
        env = {"CHATKEEP_URL": service.url, "CHATKEEP_API_KEY": tenant["api_key"], "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN,
               "CHATKEEP_TENANT_SLUG": tenant["slug"], "CHATKEEP_WEBHOOK_TOKEN": tenant["webhook_token"]}
        files = sorted(str(p.relative_to(CLIENTS)) for p in CLIENTS.glob("*/test/*.test.mjs"))
        output = _node_test(files, env, CLIENTS)
    assert _count(output, "fail") == 0
    # Every test ran (the v1.2 endpoints not in the service yet skip; nothing else may).
    assert _count(output, "pass") + _count(output, "skipped") == _count(output, "tests") >= 18, output[-3000:]
    skipped = re.findall(r"^ok \d+ - (.*) # SKIP", output, re.M)
    assert all(name.startswith("v1.2:") for name in skipped), skipped


def test_the_packages_install_from_their_tarballs_side_by_side(node_packages, tmp_path):
    """As a user installs them: `npm install chatkeep-client-*.tgz chatkeep-builderbot-*.tgz
    @builderbot/bot`; @chatkeep/builderbot finds @chatkeep/client by its version."""
    packed = tmp_path / "packed"
    packed.mkdir()
    for package in ("typescript", "builderbot"):
        # --ignore-scripts: dist/ is built (make clients-node); a rebuild here could change it
        # under a test of another xdist worker that imports it.
        done = subprocess.run(["npm", "pack", "--silent", "--ignore-scripts", "--pack-destination", str(packed)],
                              cwd=CLIENTS / package,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    tarballs = sorted(packed.glob("*.tgz"))
    assert [t.name for t in tarballs] == ["chatkeep-builderbot-1.2.0.tgz", "chatkeep-client-1.2.0.tgz"]
    with tarfile.open(packed / "chatkeep-builderbot-1.2.0.tgz") as tar:
        manifest = json.load(tar.extractfile("package/package.json"))
        assert "package/dist/index.d.ts" in tar.getnames() and not any("/test/" in n for n in tar.getnames())
    assert manifest["dependencies"] == {"@chatkeep/client": "1.2.0"}  # a version, never a path

    bot_version = json.loads((CLIENTS / "builderbot" / "package.json").read_text())["devDependencies"]["@builderbot/bot"]
    app = tmp_path / "app"
    app.mkdir()
    (app / "package.json").write_text(json.dumps({"name": "app", "private": True, "type": "module"}))
    done = subprocess.run(["npm", "install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error",
                           *map(str, tarballs), f"@builderbot/bot@{bot_version}"], cwd=app, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    check = ("import { ChatKeepAdapter, chatKeepState } from '@chatkeep/builderbot';"
             "import { ChatKeep, verifyWebhook } from '@chatkeep/client';"
             "import { MemoryDB } from '@builderbot/bot';"
             "const db = new ChatKeepAdapter({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', sessionId: 's' });"
             "if (!(db.client instanceof ChatKeep)) throw new Error('two copies of @chatkeep/client');"
             "for (const m of Object.getOwnPropertyNames(MemoryDB.prototype)) if (m !== 'constructor' && typeof db[m] !== 'function') throw new Error(m);"
             "console.log(typeof chatKeepState, typeof verifyWebhook);")
    done = subprocess.run(["node", "--input-type=module", "-e", check], cwd=app, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "function function"
    assert not (app / "node_modules" / "@chatkeep" / "client").is_symlink()
