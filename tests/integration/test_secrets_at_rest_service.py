"""Secrets at rest with the real service: the master seals clear secrets at start-up,
everything under DATA_DIR is private, and the automatic restore under another
SECRET_KEY restores the rest and names the tenants whose secrets must be set again."""
import gzip
import hashlib
import hmac
import json
import shutil
import stat

import pytest
import requests
from cryptography.fernet import Fernet
from pymongo import MongoClient

from services.operations import embedded_db
from tests.conftest import ADMIN_TOKEN
from tests.integration.processes import Service, create_tenant
from tests.webhook_helpers import fixture

pytestmark = pytest.mark.slow
ENV = {"CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "MONGODB_URI": "", "SNAPSHOT_INTERVAL_S": "0"}
APP_SECRET = "app-secret-kept-from-an-older-version"
VERIFY_TOKEN = "verify-token-kept-from-an-older-version"


def _cloud_post(url: str, slug: str) -> int:
    raw = json.dumps(fixture("cloud", "messages_text")).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return requests.post(f"{url}/webhooks/whatsapp/{slug}", data=raw, timeout=10,
                         headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"}).status_code


def _tenants_in_database(data_dir) -> list:
    port = json.loads((data_dir / "db.json").read_text())["port"]
    client = MongoClient(embedded_db.uri_for(port))
    try:
        return list(client.get_default_database().tenants.find({}))
    finally:
        client.close()


def test_clear_secrets_are_sealed_at_start_and_a_restore_under_another_key_names_them(tmp_path):
    first = tmp_path / "first"
    with Service(first, ENV) as service:  # no SECRET_KEY: the development key file
        acme = create_tenant(service.url, "acme")
        port = json.loads((first / "db.json").read_text())["port"]
        client = MongoClient(embedded_db.uri_for(port))
        # As an older version stored them: in clear.
        client.get_default_database().tenants.update_one(
            {"slug": "acme"}, {"$set": {"cloud_app_secret": APP_SECRET, "cloud_verify_token": VERIFY_TOKEN}})
        client.close()
    # ...and an idle tenant's last-known file as an older version left it.
    (first / "tenant-cache").mkdir(exist_ok=True)
    idle = first / "tenant-cache" / "idle.json"
    idle.write_text(json.dumps({"id": "x1", "slug": "idle", "name": "Idle", "cloud_app_secret": APP_SECRET}))
    idle.chmod(0o644)
    with Service(first, ENV) as service:
        assert APP_SECRET not in idle.read_text()
        stored = _tenants_in_database(first)[0]
        assert stored["cloud_app_secret"].startswith("fernet:") and APP_SECRET not in repr(stored)
        assert _cloud_post(service.url, "acme") == 200  # still verifies, with the decrypted secret
    snapshot_bytes = b"".join(gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
                              for p in (first / "snapshots").rglob("*") if p.is_file())
    assert b"fernet:" in snapshot_bytes and APP_SECRET.encode() not in snapshot_bytes
    assert VERIFY_TOKEN.encode() not in snapshot_bytes
    # Everything the service created is private; the gunicorn logs are this test's own files.
    created = [p for p in first.rglob("*") if not p.name.startswith("gunicorn-")]
    assert {"secret.key", "db", "nx-27017.log", "snapshots", "metrics"} <= {p.name for p in created}
    loose = [str(p.relative_to(first)) for p in created
             if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600)]
    assert loose == []

    moved = tmp_path / "moved"  # another host, another key
    moved.mkdir()
    shutil.copytree(first / "snapshots", moved / "snapshots")
    with Service(moved, {**ENV, "SECRET_KEY": Fernet.generate_key().decode()}) as again:
        log = again.log()
        assert "restored snapshot" in log
        assert "acme (cloud_app_secret, cloud_verify_token)" in log and "Set them again" in log
        assert _cloud_post(again.url, "acme") == 401
        hook = requests.post(f"{again.url}/webhooks/evolution/acme?token={acme['webhook_token']}",
                             json={"event": "qrcode.updated", "instance": "i1", "data": {}}, timeout=10)
        assert hook.status_code == 200  # everything else came back
        stored = _tenants_in_database(moved)[0]
        assert stored["cloud_app_secret"] is None and stored["cloud_verify_token"] is None
        messages = requests.get(f"{again.url}/api/v1/messages?include_total=true", headers=acme["headers"],
                                timeout=10).json()
        assert messages["total"] == 1
