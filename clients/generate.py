"""Regenerate the clients from the service's own OpenAPI document: `make clients`.

    .venv/bin/python clients/generate.py            # write clients/openapi.json and every client
    .venv/bin/python clients/generate.py --check    # regenerate into a temporary directory; exit 1
                                                    # and name the files that differ from the committed ones

The document comes from the app itself (create_app with a throwaway test configuration,
in-process: no server, no database). The generators run from .venv-clients, built by the
Makefile from clients/requirements-generate.txt. A generator is one entry of GENERATORS:
a function writing a client's generated code into a directory, and the committed
directory it must equal: openapi-python-client for `clients/python`, @hey-api/openapi-ts
(pinned in clients/typescript/package.json, installed by `npm ci` in clients/) for
`clients/typescript`.
"""
import argparse
import filecmp
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CLIENTS = Path(__file__).resolve().parent
ROOT = CLIENTS.parent
TOOLS = ROOT / ".venv-clients" / "bin"
DOCUMENT = CLIENTS / "openapi.json"
PYTHON_GENERATED = CLIENTS / "python" / "chatkeep" / "_generated"
TYPESCRIPT = CLIENTS / "typescript"


def live_document() -> dict:
    """/openapi.json as the service serves it."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from app import create_app

    logging.disable(logging.WARNING)  # the throwaway app's development-key notices
    try:
        with tempfile.TemporaryDirectory(prefix="chatkeep-openapi-") as data_dir:
            app = create_app({"MONGODB_URI": "mongomock://localhost/openapi", "DATA_DIR": data_dir,
                              "TESTING": True, "CHATKEEP_ADMIN_TOKEN": "x" * 32})
            response = app.test_client().get("/openapi.json")
            assert response.status_code == 200, response.status_code
            return response.get_json()
    finally:
        logging.disable(logging.NOTSET)


def write_document(document: dict, path: Path) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def generate_python(document_path: Path, out_dir: Path) -> None:
    """openapi-python-client into out_dir (the `_generated` package of chatkeep)."""
    tool = TOOLS / "openapi-python-client"
    if not tool.exists():
        raise SystemExit(f"{tool} is missing: run `make clients` (it installs clients/requirements-generate.txt)")
    env = {**os.environ, "PATH": f"{TOOLS}{os.pathsep}{os.environ.get('PATH', '')}"}  # its ruff post-hooks
    result = subprocess.run([str(tool), "generate", "--path", str(document_path), "--meta", "none",
                             "--config", str(CLIENTS / "python" / "generator.yaml"), "--output-path", str(out_dir),
                             "--overwrite", "--fail-on-warning"], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"openapi-python-client failed:\n{result.stdout}\n{result.stderr}")


def generate_typescript(document_path: Path, out_dir: Path) -> None:
    """@hey-api/openapi-ts into out_dir (src/gen of @chatkeep/client: types only)."""
    if not (CLIENTS / "node_modules" / "@hey-api" / "openapi-ts").exists():
        raise SystemExit("clients/node_modules is missing: run `make clients-node` (npm ci in clients/)")
    result = subprocess.run(["npm", "run", "--silent", "generate"], cwd=TYPESCRIPT, capture_output=True, text=True,
                            env={**os.environ, "OPENAPI_FILE": str(document_path), "OPENAPI_OUT": str(out_dir)})
    if result.returncode != 0:
        raise SystemExit(f"openapi-ts failed:\n{result.stdout}\n{result.stderr}")


GENERATORS = {"python": (generate_python, PYTHON_GENERATED),
              "typescript": (generate_typescript, TYPESCRIPT / "src" / "gen")}


def differences(left: Path, right: Path) -> list[str]:
    """Files that differ, or exist on one side only (relative paths); caches ignored."""
    found = []
    compared = filecmp.dircmp(left, right, ignore=["__pycache__", ".ruff_cache"])

    def walk(cmp, prefix=""):
        found.extend(prefix + name for name in cmp.left_only + cmp.right_only + cmp.diff_files + cmp.funny_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(compared)
    # dircmp compares by size and time first: look at the bytes of the files it calls equal.
    for path in left.rglob("*"):
        other = right / path.relative_to(left)
        if path.is_file() and other.is_file() and "__pycache__" not in path.parts \
                and path.read_bytes() != other.read_bytes():
            found.append(str(path.relative_to(left)))
    return sorted(set(found))


def check(names: list[str]) -> list[str]:
    """Regenerate into a temporary directory; what differs from the committed files."""
    document = live_document()
    problems = []
    with tempfile.TemporaryDirectory(prefix="chatkeep-clients-") as scratch:
        fresh_document = Path(scratch) / "openapi.json"
        write_document(document, fresh_document)
        if not DOCUMENT.exists() or DOCUMENT.read_bytes() != fresh_document.read_bytes():
            problems.append("clients/openapi.json")
        for name in names:
            generate, committed = GENERATORS[name]
            out_dir = Path(scratch) / name
            generate(fresh_document, out_dir)
            problems += [f"{committed.relative_to(ROOT)}/{path}" for path in differences(out_dir, committed)]
    return problems


def regenerate(names: list[str]) -> None:
    write_document(live_document(), DOCUMENT)
    for name in names:
        generate, committed = GENERATORS[name]
        with tempfile.TemporaryDirectory(prefix="chatkeep-clients-") as scratch:
            generate(DOCUMENT, Path(scratch) / name)
            shutil.rmtree(committed, ignore_errors=True)
            shutil.copytree(Path(scratch) / name, committed,
                            ignore=shutil.ignore_patterns("__pycache__", ".ruff_cache"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clients", nargs="*", help=f"some of {', '.join(GENERATORS)} (default: all)")
    parser.add_argument("--check", action="store_true", help="compare with the committed code, change nothing")
    parser.add_argument("--print-document", action="store_true", help="write the live document to stdout")
    args = parser.parse_args(argv)
    names = args.clients or list(GENERATORS)
    unknown = set(names) - set(GENERATORS)
    if unknown:
        parser.error(f"no generator for {', '.join(sorted(unknown))}")
    if args.print_document:
        print(json.dumps(live_document(), ensure_ascii=False))
        return 0
    if args.check:
        problems = check(names)
        for problem in problems:
            print(f"differs from a fresh generation: {problem}")
        return 1 if problems else 0
    regenerate(names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
