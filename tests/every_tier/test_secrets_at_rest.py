"""Tenants' Cloud secrets at rest: ciphertext in the database, in snapshots and in the
last-known file; clear values from before still verify and are sealed at start-up; a
restore under another SECRET_KEY restores everything else and names what to set again."""
import gzip

import pytest
from cryptography.fernet import Fernet

from models import Tenant
from models.collections import GlobalCollection
from models.gateway_session import GatewaySession
from models.webhook_endpoint import WebhookEndpoint
from services import secret_box
from services.operations import restore, snapshot_files, snapshots, stored_secrets
from services.tenancy.tenant_cache import cache
from services.tenancy.tenant_secrets import seal_stored_secrets
from tests.conftest import create_tenant
from tests.webhook_helpers import APP_SECRET, VERIFY_TOKEN, configure_cloud, send

SECRETS = (APP_SECRET.encode(), VERIFY_TOKEN.encode())


def _stored(slug: str) -> dict:
    return next(iter(GlobalCollection(Tenant).find({"slug": slug})))


def _handshake(client, slug: str):
    return client.get(f"/webhooks/whatsapp/{slug}?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}"
                      f"&hub.challenge=echo-me")


def _cloud_works(client, tenant) -> bool:
    posted, verified = send(client, "cloud", tenant, "messages_text"), _handshake(client, tenant.slug)
    assert posted.status_code in (200, 401) and verified.status_code in (200, 403)
    return posted.status_code == 200 and verified.get_data() == b"echo-me"


def _generation_bytes(generation) -> bytes:
    return b"".join(gzip.decompress(p.read_bytes()) if p.name.endswith(".gz") else p.read_bytes()
                    for p in sorted(generation.iterdir()))


def test_cloud_secrets_are_ciphertext_in_the_database_snapshots_and_last_known_file(app, client, admin, tenant,
                                                                                    tmp_path):
    configure_cloud(client, admin, tenant)
    assert _cloud_works(client, tenant)  # verified with the decrypted values
    with app.app_context():
        stored = _stored(tenant.slug)
        assert all(secret_box.is_sealed(stored[f]) for f in ("cloud_app_secret", "cloud_verify_token"))
        assert not any(secret in repr(stored).encode() for secret in SECRETS)
        manifest = snapshots.take_snapshot(str(tmp_path), "manual", keep=2)
    everything = _generation_bytes(tmp_path / "snapshots" / manifest["generation"])
    assert b"fernet:" in everything and not any(secret in everything for secret in SECRETS)
    last_known = (tmp_path / "tenant-cache" / f"{tenant.slug}.json").read_bytes()
    assert b"fernet:" in last_known and not any(secret in last_known for secret in SECRETS)
    admin_view = client.get(f"/api/v1/admin/tenants/{tenant.slug}", headers=admin).get_json()
    assert admin_view["cloud_app_secret_set"] is True and admin_view["cloud_verify_token_set"] is True


def test_clear_values_from_before_keep_working_and_are_sealed_at_start_up(app, client, tenant, tmp_path):
    with app.app_context():
        GlobalCollection(Tenant).update_one({"slug": tenant.slug}, {"$set": {"cloud_app_secret": APP_SECRET,
                                                                            "cloud_verify_token": VERIFY_TOKEN}})
        cache.clear()
        assert _cloud_works(client, tenant)
        last_known = (tmp_path / "tenant-cache" / f"{tenant.slug}.json").read_bytes()
        assert not any(secret in last_known for secret in SECRETS)  # sealed on its way to disk
        manifest = snapshots.take_snapshot(str(tmp_path), "manual", keep=2)  # ...and into snapshots
        assert not any(secret in _generation_bytes(tmp_path / "snapshots" / manifest["generation"])
                       for secret in SECRETS)
        assert seal_stored_secrets() == {}  # what the gunicorn master runs before workers fork
        stored = _stored(tenant.slug)
        assert secret_box.is_sealed(stored["cloud_app_secret"]) and secret_box.is_sealed(stored["cloud_verify_token"])
        assert not any(secret in repr(stored).encode() for secret in SECRETS)
    assert _cloud_works(client, tenant)


def _snapshot_then_empty(app, tmp_path):
    with app.app_context():
        manifest = snapshots.take_snapshot(str(tmp_path), "manual", keep=2)
        restore.clear_store()
    cache.clear()
    return tmp_path / "snapshots" / manifest["generation"]


def test_restore_under_another_key_restores_the_rest_and_names_the_secrets_to_set_again(app, client, admin,
                                                                                       tmp_path):
    cloud, plain = create_tenant(client, admin, "cloud-one"), create_tenant(client, admin, "plain-one")
    configure_cloud(client, admin, cloud)
    assert send(client, "evolution", plain, "messages_upsert_text_inbound").status_code == 200
    generation = _snapshot_then_empty(app, tmp_path)
    secret_box.configure(Fernet.generate_key().decode(), str(tmp_path))  # another host's key
    with app.app_context():
        restored = restore.restore(generation)
    assert restored.secrets_to_set_again == {"cloud-one": ["cloud_app_secret", "cloud_verify_token"]}
    assert restored["messages.jsonl.gz"]["restored"] == 1
    # Everything else is back: keys, webhook tokens, messages.
    assert client.get("/api/v1/messages?include_total=true", headers=plain.headers).get_json()["total"] == 1
    assert send(client, "evolution", cloud, "messages_upsert_text_inbound").status_code == 200
    # The unreadable secrets are unset: 401/403, never a 500, until they are set again.
    assert send(client, "cloud", cloud, "messages_text").status_code == 401
    assert _handshake(client, cloud.slug).status_code == 403
    view = client.get(f"/api/v1/admin/tenants/{cloud.slug}", headers=admin).get_json()
    assert view["cloud_app_secret_set"] is False and view["cloud_verify_token_set"] is False
    configure_cloud(client, admin, cloud)
    assert _cloud_works(client, cloud)


def test_secrets_unreadable_at_start_up_are_treated_as_unset_not_erased(app, client, admin, tenant, tmp_path):
    """A SECRET_KEY set wrongly at a plain start: webhooks 401, the log names the tenant,
    and the next start with the right key finds the secrets intact."""
    configure_cloud(client, admin, tenant)
    right_key = (tmp_path / "secret.key").read_text().strip()
    secret_box.configure(Fernet.generate_key().decode(), str(tmp_path))
    cache.clear()
    with app.app_context():
        assert seal_stored_secrets() == {tenant.slug: ["cloud_app_secret", "cloud_verify_token"]}
    assert send(client, "cloud", tenant, "messages_text").status_code == 401
    assert _handshake(client, tenant.slug).status_code == 403
    secret_box.configure(right_key, str(tmp_path))
    cache.clear()
    assert _cloud_works(client, tenant)


def test_rotation_lists_the_new_key_first_and_restores_snapshots_of_the_old_one(app, client, admin, tenant,
                                                                              tmp_path):
    configure_cloud(client, admin, tenant)
    old_key = (tmp_path / "secret.key").read_text().strip()
    generation = _snapshot_then_empty(app, tmp_path)
    new_key = Fernet.generate_key().decode()
    secret_box.configure(f"{new_key},{old_key}", str(tmp_path))
    with app.app_context():
        assert restore.restore(generation).secrets_to_set_again == {}
        stored = _stored(tenant.slug)
    assert _cloud_works(client, tenant)
    secret_box.configure(new_key, str(tmp_path))  # the old key dropped: everything moved to the new one
    cache.clear()
    assert secret_box.decrypt(stored["cloud_app_secret"]) == APP_SECRET
    assert _cloud_works(client, tenant)


def test_snapshot_restore_command_names_the_tenants_whose_secrets_must_be_set_again(app, client, admin, tenant,
                                                                                   tmp_path):
    configure_cloud(client, admin, tenant)
    with app.app_context():
        snapshots.take_snapshot(str(tmp_path), "manual", keep=2)
    secret_box.configure(Fernet.generate_key().decode(), str(tmp_path))
    result = app.test_cli_runner().invoke(args=["snapshot", "restore", "--replace"])
    assert result.exit_code == 0, result.output
    assert "tenants.jsonl.gz: 1 restored" in result.output
    assert f"{tenant.slug}: cloud_app_secret, cloud_verify_token" in result.output
    assert "set again" in result.output


def test_a_snapshot_child_seals_with_the_asking_apps_key(app, client, admin, tenant, tmp_path):
    """POST /admin/snapshots writes in a child process; a clear value that reached the
    database some other way is sealed there with the app's SECRET_KEY, not another."""
    if app.config["MONGODB_URI"].startswith("mongomock:"):
        pytest.skip("no other process sees mongomock's store")
    key = Fernet.generate_key().decode()
    app.config["SECRET_KEY_SETTING"] = key  # the app's own setting, not the environment's
    secret_box.configure(key, str(tmp_path))
    with app.app_context():
        GlobalCollection(Tenant).update_one({"slug": tenant.slug}, {"$set": {"cloud_app_secret": APP_SECRET}})
    response = client.post("/api/v1/admin/snapshots", headers=admin)
    assert response.status_code == 201, response.get_json()
    generation = tmp_path / "snapshots" / response.get_json()["generation"]
    assert APP_SECRET.encode() not in _generation_bytes(generation)
    record = next(r for r in snapshot_files.read_records(generation / "tenants.jsonl.gz") if r["slug"] == tenant.slug)
    assert secret_box.decrypt(record["cloud_app_secret"]) == APP_SECRET


def test_a_rotation_re_encrypts_endpoint_secrets_and_gateway_link_keys(app, client, tenant, tmp_path):
    """Every kind of stored secret moves to the new key at the start after a rotation, so
    the old key can be dropped: here the ones only ever used, never shown again."""
    app.config["OUTBOUND_ALLOW_PRIVATE"] = True
    endpoint = client.post("/api/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/hook"},
                           headers=tenant.headers).get_json()
    assert client.put("/api/v1/sessions/main", json={"status": "open"}, headers=tenant.headers).status_code in (
        200, 201)
    linked = client.put("/api/v1/sessions/main/gateway", headers=tenant.headers,
                        json={"kind": "waha", "base_url": "http://127.0.0.1:9", "api_key": "gateway-key-1"})
    assert linked.status_code == 200, linked.get_json()
    old_key = (tmp_path / "secret.key").read_text().strip()
    new_key = Fernet.generate_key().decode()

    def stored():
        return (next(iter(GlobalCollection(WebhookEndpoint).find({"_id": endpoint["id"]})))["secret"],
                next(iter(GlobalCollection(GatewaySession).find({"session_id": "main"})))["link_api_key"])

    secret_box.configure(f"{new_key},{old_key}", str(tmp_path))
    with app.app_context():
        before = stored()
        stored_secrets.settle()  # what the gunicorn master runs before workers fork
        after = stored()
    assert after != before
    secret_box.configure(new_key, str(tmp_path))  # the old key dropped
    assert [secret_box.decrypt(value) for value in after] == [endpoint["secret"], "gateway-key-1"]
    with app.app_context():
        stored_secrets.settle()  # nothing left to move: a second start changes nothing
        assert stored() == after
