"""An erasure holds through SECRET_KEY rotations with every old key dropped, as the
README tells operators to do: re-sent webhooks, REST writes, `webhooks replay`,
`legacy-import` and a restore of an older snapshot bring nothing back. Each host start
is what the gunicorn master does before workers fork (gunicorn.conf.py)."""
import gzip
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from models.collections import scoped
from models.erasure import ErasedContact
from models.tenancy import tenant_scope
from models.webhook_archive import WebhookArchive
from services import clock, key_check, secret_box
from services.gateways import webhook_archive
from services.operations import snapshots, stored_secrets
from services.privacy import ledger
from services.tenancy import tenants
from tests.conftest import assert_problem, create_tenant
from tests.every_tier.test_privacy import OTHER, _message
from tests.webhook_helpers import BOT, CUSTOMER, EVO_IN, fixture, send, stored

K1, K2, K3 = (Fernet.generate_key().decode() for _ in range(3))


def _start(app, secret_key: str, data_dir: Path | None = None):
    """The app as a host (re)started with `secret_key` (empty: the development key in
    `data_dir`): a fresh process's caches, then the master's start-up steps."""
    app.config["SECRET_KEY_SETTING"] = secret_key
    secret_box.configure(secret_key or None, str(data_dir or app.config["DATA_DIR"]))
    ledger._cache.clear()
    with app.app_context():
        key_check.check_secret_key(shared_database=True)
        stored_secrets.settle()
    return app


def _archive(app, slug: str, body: dict) -> None:
    with app.app_context(), tenant_scope(tenants.get_tenant(slug).id):
        webhook_archive.keep("evolution", json.dumps(body).encode())


def test_an_erasure_holds_through_two_rotations_with_the_old_keys_dropped(app, client, admin, tmp_path):
    _start(app, K1)
    app.config["WEBHOOK_ARCHIVE_DAYS"] = 30
    tenant = create_tenant(client, admin)
    assert send(client, "evolution", tenant, "messages_upsert_text_inbound").get_json()["accepted"] == 1  # archived
    _message(client, tenant, "rest-old", sent_at="2026-01-01T00:00:00Z")
    _message(client, tenant, "other-1", customer=OTHER)
    assert client.put(f"/api/v1/chat-sessions/{CUSTOMER}", json={"state": {"step": 2}},
                      headers=tenant.headers).status_code in (200, 201)
    with app.app_context():
        older = snapshots.take_snapshot(str(tmp_path), "manual", 5)["generation"]
    assert client.delete(f"/api/v1/contacts/{CUSTOMER}", headers=tenant.headers).status_code == 200

    _start(app, f"{K2},{K1}")  # rotation one...
    _start(app, f"{K3},{K2}")  # ...two, K1 dropped...
    _start(app, K3)  # ...and K2 dropped
    runner = app.test_cli_runner()

    # The gateway re-sends the old message; a bot re-posts an old one.
    assert send(client, "evolution", tenant, "messages_upsert_text_inbound").get_json() == {
        "accepted": 0, "duplicates": 0, "ignored": 1}
    assert_problem(client.post("/api/v1/messages", headers=tenant.headers, json={
        "session_id": "main", "direction": "in", "from": CUSTOMER, "to": BOT, "text": "old",
        "external_id": "rest-old", "sent_at": "2026-01-01T00:00:00Z"}), 409)
    # `webhooks replay` of an archived copy.
    _archive(app, tenant.slug, fixture("evolution", "messages_upsert_text_inbound"))
    replayed = runner.invoke(args=["webhooks", "replay", "--tenant", tenant.slug, "--since", "2000-01-01T00:00:00Z"])
    assert replayed.exit_code == 0 and "0 accepted" in replayed.output, replayed.output
    # `legacy-import` of the bot's old files.
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "chat_sessions.json").write_text(json.dumps([
        {"recipientPhone": CUSTOMER, "lastActivity": clock.now_ms() - 3_600_000, "step": 3}]))
    imported = runner.invoke(args=["legacy-import", "--tenant", tenant.slug, str(legacy)])
    assert imported.exit_code == 0 and "this contact was erased" in imported.output, imported.output
    # A restore of the snapshot taken before the erasure.
    restored = runner.invoke(args=["snapshot", "restore", older, "--replace"])
    assert restored.exit_code == 0, restored.output

    for gone in (EVO_IN, "rest-old"):
        assert stored(client, tenant, gone).status_code == 404, gone
    assert stored(client, tenant, "other-1").status_code == 200
    assert client.get(f"/api/v1/chat-sessions/{CUSTOMER}", headers=tenant.headers).status_code == 404
    with app.app_context(), tenant_scope(tenants.get_tenant(tenant.slug).id):
        archived = [kept["body"] for kept in scoped(WebhookArchive).find({})]
    assert not any(CUSTOMER in body for body in archived)  # the restored archive was scrubbed too


def test_scrub_rewrites_every_file_of_a_generation_the_archive_too(app, client, tenant):
    app.config["WEBHOOK_ARCHIVE_DAYS"] = 30
    assert send(client, "evolution", tenant, "messages_upsert_text_inbound").get_json()["accepted"] == 1
    _message(client, tenant, "other-1", customer=OTHER)
    _archive(app, tenant.slug, {"data": {"key": {"remoteJid": f"{OTHER}@s.whatsapp.net"}, "id": f"9{CUSTOMER}"}})
    data_dir = app.config["DATA_DIR"]
    with app.app_context():
        generation = Path(data_dir) / "snapshots" / snapshots.take_snapshot(data_dir, "manual", 5)["generation"]
    assert CUSTOMER in gzip.decompress((generation / "webhook_archive.jsonl.gz").read_bytes()).decode()
    assert client.delete(f"/api/v1/contacts/{CUSTOMER}", headers=tenant.headers).status_code == 200
    result = app.test_cli_runner().invoke(args=["snapshot", "scrub"])
    assert result.exit_code == 0, result.output
    assert app.test_cli_runner().invoke(args=["snapshot", "verify", generation.name]).exit_code == 0
    archive = gzip.decompress((generation / "webhook_archive.jsonl.gz").read_bytes()).decode()
    assert EVO_IN not in archive and "Vocês abrem" not in archive
    assert f"9{CUSTOMER}" in archive  # another contact's body, holding the digits inside a longer number
    every_file = "".join(gzip.decompress(p.read_bytes()).decode() if p.suffix == ".gz" else p.read_text()
                         for p in generation.iterdir() if p.name != "manifest.json")
    assert f'"{CUSTOMER}' not in every_file and f"{CUSTOMER}@" not in every_file and OTHER in every_file


def test_a_host_whose_secret_key_does_not_open_the_deployments_refuses_to_start(app, tmp_path, caplog):
    _start(app, K1)
    with pytest.raises(key_check.SecretKeyMismatch, match="SECRET_KEY"):
        _start(app, K2)  # another host, another key
    with pytest.raises(key_check.SecretKeyMismatch, match="SECRET_KEY"):
        _start(app, "", tmp_path / "b")  # another host, its own development key
    assert "development key" in caplog.text and "MONGODB_URI" in caplog.text
    _start(app, f"{K2},{K1}")  # a rotation, then the old key dropped: starts every time
    _start(app, K2)
    with pytest.raises(key_check.SecretKeyMismatch):
        _start(app, K1)  # the dropped key no longer opens it


def test_a_ledger_an_older_version_wrote_survives_rotations_too(app, client, tenant):
    """Entries keyed by SECRET_KEY itself (before the ledger had keys of its own): the
    first erasure or start-up keeps that key as a ledger key, so dropping it later
    leaves them in force."""
    _start(app, K1)
    with app.app_context():
        tenant_id = tenants.get_tenant(tenant.slug).id
        with tenant_scope(tenant_id):  # as an older version recorded it
            entry = hmac.new(secret_box.hmac_keys()[0], f"{tenant_id}:{CUSTOMER}".encode(), hashlib.sha256)
            scoped(ErasedContact).insert_one({"_id": entry.hexdigest(), "erased_at": 1000})
    assert client.delete(f"/api/v1/contacts/{OTHER}", headers=tenant.headers).status_code == 200  # this version
    _start(app, f"{K2},{K1}")
    _start(app, K2)  # K1 dropped
    with app.app_context(), tenant_scope(tenant_id):
        assert ledger.erased_at(CUSTOMER) == 1000
        assert ledger.erased_at(OTHER) is not None


def test_an_older_ledger_alone_is_kept_by_the_start_up(app, client, tenant):
    """The same ledger, and no erasure of this version before the rotation: the start-up
    itself (ledger_keys.settle) keeps SECRET_KEY's derived keys as the tenant's ledger
    keys, so the entries outlive the key they came from."""
    _start(app, K1)
    with app.app_context():
        tenant_id = tenants.get_tenant(tenant.slug).id
        with tenant_scope(tenant_id):
            entry = hmac.new(secret_box.hmac_keys()[0], f"{tenant_id}:{CUSTOMER}".encode(), hashlib.sha256)
            scoped(ErasedContact).insert_one({"_id": entry.hexdigest(), "erased_at": clock.now_ms()})
    _start(app, f"{K2},{K1}")
    with app.app_context(), tenant_scope(tenant_id):
        assert len([d for d in scoped(ErasedContact).find({}) if d.get("key")]) == 2  # K2's and K1's derived keys
    _start(app, K2)  # K1 dropped
    with app.app_context(), tenant_scope(tenant_id):
        assert ledger.erased_at(CUSTOMER) is not None and ledger.erased_at(OTHER) is None
    assert_problem(client.post("/api/v1/messages", headers=tenant.headers, json={
        "session_id": "main", "direction": "in", "from": CUSTOMER, "to": BOT, "text": "old",
        "external_id": "before-erasure", "sent_at": "2026-01-01T00:00:00Z"}), 409)
    _message(client, tenant, "other-stays", customer=OTHER)  # another contact is stored as ever
