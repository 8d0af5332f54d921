"""The committed clients equal a fresh generation from the live OpenAPI document, and the
document gives generators what they need (ids, problems, enums, amounts)."""
import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from chatkeep._calls import MONEY_FIELDS
from clients import generate
from schemas.openapi_document import finish_document

GENERATOR = generate.TOOLS / "openapi-python-client"


@pytest.fixture(scope="module")
def document():
    """Made in a process of its own: an app made here would rebind this process's database
    connection, secret key and logging for the tests that follow."""
    result = subprocess.run([sys.executable, str(generate.CLIENTS / "generate.py"), "--print-document"],
                            capture_output=True, text=True, cwd=generate.ROOT, check=True)
    return json.loads(result.stdout)


def _operations(document):
    for path, item in document["paths"].items():
        for method in ("get", "put", "post", "patch", "delete"):
            if method in item:
                yield path, method, item[method]


def test_regenerating_the_clients_changes_nothing():
    if not GENERATOR.exists():
        if os.environ.get("CHATKEEP_REQUIRE_GENERATORS"):
            pytest.fail(f"{GENERATOR} is missing: `make test` installs it (clients/requirements-generate.txt)")
        pytest.skip("the client generators are not installed: run `make clients` (or `make test`)")
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(generate.CLIENTS / "generate.py"), "--check"],
                            capture_output=True, text=True, cwd=generate.ROOT)
    print(f"regeneration check took {time.monotonic() - started:.1f} s")
    assert result.returncode == 0, ("the committed clients differ from the live document's; run `make clients` "
                                    f"and commit:\n{result.stdout}{result.stderr}")


def test_a_difference_is_found(tmp_path):
    """The check itself can fail: a changed, a missing and an extra file are reported."""
    left, right = tmp_path / "fresh", tmp_path / "committed"
    shutil.copytree(generate.PYTHON_GENERATED, left, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(left, right)
    assert generate.differences(left, right) == []
    (right / "client.py").write_text((left / "client.py").read_text() + "# edited by hand\n")
    (right / "models" / "message.py").unlink()
    (right / "extra.py").write_text("")
    assert generate.differences(left, right) == ["client.py", "extra.py", "models/message.py"]


def test_every_operation_has_a_readable_unique_id(document):
    ids = [operation["operationId"] for _path, _method, operation in _operations(document)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", i) for i in ids), ids
    expected = {"messages_create", "messages_list", "messages_get", "messages_update_status", "conversations_list",
                "conversations_messages", "chat_sessions_put", "orders_complete", "stats_get", "events_list",
                "webhook_endpoints_rotate_secret", "admin_tenants_create"}
    assert expected <= set(ids)


def test_every_error_answer_is_documented_as_a_problem(document):
    responses = document["components"]["responses"]
    for path, method, operation in _operations(document):
        codes = set(operation["responses"])
        if path.startswith("/api/v1/"):
            assert {"401", "503"} <= codes, (method, path, codes)
        if "{" in path:
            assert {"404", "422"} <= codes, (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "415", "422"} <= codes, (method, path)
        for code, response in operation["responses"].items():
            if code[0] in "45" or code == "default":
                resolved = responses[response["$ref"].rsplit("/", 1)[-1]] if "$ref" in response else response
                assert resolved["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"}, (method, path, code)
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status"} <= set(problem["required"]) and problem["additionalProperties"] is True


def test_enums_are_named_and_nullables_marked(document):
    schemas = document["components"]["schemas"]
    assert schemas["MessageStatus"]["enum"] == ["pending", "sent", "delivered", "read", "played", "failed"]
    message = schemas["Message"]["properties"]
    assert message["status"]["allOf"] == [{"$ref": "#/components/schemas/MessageStatus"}]
    assert message["direction"] == {"$ref": "#/components/schemas/Direction"}
    assert message["media"] == {"allOf": [{"$ref": "#/components/schemas/Media"}], "nullable": True}
    assert message["text"]["nullable"] is True and "text" in schemas["Message"]["required"]
    assert "total" not in schemas["MessagePage"]["required"] and "total" in schemas["Order"]["required"]
    text = json.dumps(document)
    assert '"type": "object", "nullable": true}' not in text  # apispec's anonymous nullable object is gone
    assert "PaginationMetadata" not in schemas


def test_the_client_reads_every_amount_of_the_document_as_a_decimal(document):
    amounts = {name for schema in document["components"]["schemas"].values()
               for name, prop in schema.get("properties", {}).items() if prop.get("format") == "decimal"}
    assert amounts == MONEY_FIELDS


def test_operation_ids_are_derived_unless_given():
    ok = {"200": {"description": "OK"}}
    doc = {"paths": {
        "/api/v1/widgets": {"get": {"responses": ok}, "post": {"responses": ok}},
        "/api/v1/widgets/{widget_id}": {"get": {"responses": ok}, "patch": {"responses": ok}},
        "/api/v1/widgets/{widget_id}/polish": {"post": {"responses": ok}},
        "/api/v1/widgets/search": {"get": {"operationId": "widgets_search", "responses": ok}},
        "/api/v1/admin/tenants/{slug}/rotate-key": {"post": {"responses": ok}},
    }, "components": {"schemas": {}}, "security": []}
    ids = {f"{m.upper()} {p}": o["operationId"] for p, item in finish_document(doc)["paths"].items()
           for m, o in item.items()}
    assert ids == {"GET /api/v1/widgets": "widgets_list", "POST /api/v1/widgets": "widgets_create",
                   "GET /api/v1/widgets/{widget_id}": "widgets_get",
                   "PATCH /api/v1/widgets/{widget_id}": "widgets_update",
                   "POST /api/v1/widgets/{widget_id}/polish": "widgets_polish",
                   "GET /api/v1/widgets/search": "widgets_search",
                   "POST /api/v1/admin/tenants/{slug}/rotate-key": "admin_tenants_rotate_key"}


@pytest.mark.slow
def test_the_python_client_installs_as_a_package(tmp_path):
    """`pip install clients/python` as a user runs it (its pinned build backend comes from the
    package index, as `make` installs everything; --no-deps: httpx and attrs are here):
    every generated subpackage is in the installed copy, and it imports from there."""
    source, target = tmp_path / "source", tmp_path / "site"
    shutil.copytree(generate.CLIENTS / "python", source, ignore=shutil.ignore_patterns("__pycache__", "build"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--target", str(target), str(source)],
                   check=True, capture_output=True, cwd=tmp_path)
    probe = ("import chatkeep, chatkeep.models, chatkeep._generated.api.orders.orders_complete as op; "
             "print(chatkeep.__version__, chatkeep.__file__, op.__name__)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(target)})
    version, location, _ = result.stdout.split()
    assert version == "1.2.0" and location.startswith(str(target))
    document = json.loads((generate.CLIENTS / "openapi.json").read_text())
    assert document["info"]["version"] == version  # the client's version is the API's
