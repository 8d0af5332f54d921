"""A large export through real gunicorn: streamed whole although it takes longer than the
worker timeout, and cut off (not ended cleanly) when the database goes away part way."""
import json
import time

import pytest
import requests
from pymongo import MongoClient

from services.phones import conversation_id_for
from tests.conftest import ADMIN_TOKEN
from tests.integration.processes import Service, create_tenant, start_nx, stop

BOT = "5511987654321"
MESSAGES = 12_000


def _load(database_uri: str, tenant_slug: str, count: int) -> None:
    """`count` messages in their stored form, written straight to the database (the API
    would take minutes for this many)."""
    client = MongoClient(database_uri)
    db = client.get_default_database()
    tenant_id = db.tenants.find_one({"slug": tenant_slug})["_id"]
    start = 1_790_000_000_000
    for first in range(0, count, 2000):
        db.messages.insert_many([{
            "_id": f"{n:024x}", "tenant_id": tenant_id, "session_id": "main", "external_id": f"wamid.{n}",
            "conversation_id": conversation_id_for(f"55119{n % 97:08d}", BOT), "from": f"55119{n % 97:08d}",
            "to": BOT, "direction": "in", "type": "text", "text": f"mensagem número {n}, \"citada\", com vírgula",
            "media": None, "status_rank": 2, "status_times": {"delivered": start + n}, "awaiting_message": 0,
            "error": None, "created_at": start + n // 3, "updated_at": start + n // 3, "event_at": start + n // 3,
        } for n in range(first, min(first + 2000, count))])
    client.close()


@pytest.fixture
def service(tmp_path, database_uri):
    # A worker that sends nothing to gunicorn's master for 5 s is killed as stuck: the export
    # takes longer than that, and lives because it tells the master it is alive after each batch.
    # (2 s was too tight for a loaded CI machine: one batch read from the shared database, busy
    # with other tests and this worker's own search backfill, took longer than that.)
    env = {"MONGODB_URI": database_uri, "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "GUNICORN_CMD_ARGS": "--timeout 5"}
    with Service(tmp_path, env, workers=1) as running:
        yield running


def test_a_large_export_streams_whole_past_the_worker_timeout(service, database_uri):
    tenant = create_tenant(service.url, "exporter")
    _load(database_uri, "exporter", MESSAGES)
    body = b""
    with requests.get(f"{service.url}/api/v1/messages/export?format=jsonl", headers=tenant["headers"],
                      stream=True, timeout=120) as response:
        assert response.status_code == 200
        assert response.headers["Transfer-Encoding"] == "chunked"
        for chunk in response.iter_content(chunk_size=64 * 1024):  # a client reading about 0.6 MB/s:
            body += chunk                                            # the 6.6 MB take about 10 s
            time.sleep(0.1)
    ids = [json.loads(line)["id"] for line in body.splitlines()]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == MESSAGES  # oldest first, each once
    with requests.get(f"{service.url}/api/v1/messages/export?format=csv", headers=tenant["headers"],
                      stream=True, timeout=120) as response:
        rows = sum(1 for _ in response.iter_lines())
    assert rows >= MESSAGES + 1  # the header, then a row each (no text here spans lines)
    assert "WORKER TIMEOUT" not in service.log()


def test_an_export_cut_off_by_the_database_is_an_error_for_the_client(tmp_path):
    proc, uri = start_nx(tmp_path / "own-nx")  # this test's own server, to stop part way
    database_uri = uri.replace("/chatkeep?", "/export_cut?")
    env = {"MONGODB_URI": database_uri, "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "DB_TIMEOUT_MS": "500",
           "SNAPSHOT_ON_SHUTDOWN": "false"}
    try:
        with Service(tmp_path / "svc", env, workers=1) as service:
            tenant = create_tenant(service.url, "cutoff")
            _load(database_uri, "cutoff", 6000)
            received = b""
            with pytest.raises(requests.exceptions.ChunkedEncodingError):
                with requests.get(f"{service.url}/api/v1/messages/export?format=csv", headers=tenant["headers"],
                                  stream=True, timeout=60) as response:
                    assert response.status_code == 200
                    for chunk in response.iter_content(chunk_size=None):
                        if not received:
                            stop(proc)  # the database goes away after the first batch
                        received += chunk
            assert received.startswith(b"id,created_at,") and received.count(b"\n") < 6000
    finally:
        stop(proc)
