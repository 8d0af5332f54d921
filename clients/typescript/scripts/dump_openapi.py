"""Print the service's OpenAPI document, built in-process from create_app: no server,
no database (mongomock), no file written outside a temporary directory.

    .venv/bin/python clients/typescript/scripts/dump_openapi.py > openapi.json
"""
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))


def openapi_document() -> dict:
    from app import create_app

    with tempfile.TemporaryDirectory(prefix="chatkeep-openapi-") as data_dir:
        app = create_app({"MONGODB_URI": "mongomock://localhost/openapi", "DATA_DIR": data_dir,
                          "TESTING": True, "LOG_LEVEL": "ERROR", "CHATKEEP_ADMIN_TOKEN": "x" * 32})
        response = app.test_client().get("/openapi.json")
        assert response.status_code == 200, response.status_code
        return response.get_json()


if __name__ == "__main__":
    json.dump(openapi_document(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
