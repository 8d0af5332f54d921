"""The tenant cache: an entry never outlives AUTH_CACHE_S, whatever the stamps say; the
watcher re-reads entries before they expire."""
import pytest

from models.tenant import Tenant
from services.tenancy import tenants
from services.tenancy.tenant_cache import TenantCache, cache
from tests.webhook_helpers import send


@pytest.fixture
def monotonic(monkeypatch):
    """The cache's clock under the test's control: [seconds]."""
    now = [1000.0]
    monkeypatch.setattr(cache, "now", lambda: now[0])
    return now


def test_watcher_forgets_changed_tenants_at_once(app, client, admin, tenant, monotonic):
    with app.app_context():
        cache.fresh_s = 60
        first = tenants.tenant_for_api_key(tenant.api_key)
        assert first is not None
        assert tenants.tenant_for_api_key(tenant.api_key) is first  # served from the cache
        # Another worker rotates the key (here: a direct edit with a new stamp, so this
        # worker's cache is not cleared by it); the watcher sees it before the entry expires.
        Tenant.objects(slug=tenant.slug).update(set__api_key_hash=tenants.hash_secret("ck_live_new"),
                                                 set__updated_at=first.updated_at + 1, inc__version=1)
        assert tenants.tenant_for_api_key(tenant.api_key) is first
        tenants.watch_tenant_changes()
        assert tenants.tenant_for_api_key(tenant.api_key) is None
        assert tenants.tenant_for_api_key("ck_live_new").slug == tenant.slug


@pytest.mark.parametrize("skew_ms", [0, -3_600_000], ids=["same-stamp", "stamp-an-hour-old"])
def test_a_key_changed_by_hand_stops_working_at_the_watchers_next_look(app, client, tenant, monotonic, skew_ms):
    """A rotation with no new stamp, or one from a slow clock (restored by `snapshot
    restore --replace`, edited by hand) ends at the watcher's next look, within
    AUTH_CACHE_S, for API keys and webhook tokens: it compares whole documents."""
    with app.app_context():
        cache.clear()
        cache.fresh_s = 2
        assert client.get("/api/v1/sessions", headers=tenant.headers).status_code == 200
        assert send(client, "evolution", tenant, {}).status_code == 200
        cached = tenants.tenant_by_slug(tenant.slug)
        Tenant.objects(slug=tenant.slug).update(
            set__api_key_hash=tenants.hash_secret("ck_live_new"),
            set__webhook_token_hash=tenants.hash_secret("ck_hook_new"),
            set__updated_at=cached.updated_at + skew_ms)
        assert client.get("/api/v1/sessions", headers=tenant.headers).status_code == 200  # cached, until...
        monotonic[0] += 0.9
        assert tenants.watch_tenant_changes() >= 2  # ...the watcher's look
        assert client.get("/api/v1/sessions", headers=tenant.headers).status_code == 401
        assert client.get("/api/v1/sessions", headers={"Authorization": "Bearer ck_live_new"}).status_code == 200
        assert send(client, "evolution", tenant, {}).status_code == 401
        assert send(client, "evolution", tenant, {}, token="ck_hook_new").status_code == 200


def test_while_the_watcher_runs_requests_read_nothing_and_without_it_entries_expire(app, client, tenant,
                                                                                   monotonic, monkeypatch):
    """The watcher re-reads cached tenants before they expire (twice per AUTH_CACHE_S), so
    authentication costs no read; stopped, an entry is read again after AUTH_CACHE_S."""
    reads = []
    real_get = cache.get

    def counting_get(key, load, fallback=None):
        def counted():
            reads.append(key)
            return load()
        return real_get(key, counted, fallback)
    monkeypatch.setattr(cache, "get", counting_get)
    with app.app_context():
        cache.clear()
        cache.fresh_s = 2
        assert client.get("/api/v1/sessions", headers=tenant.headers).status_code == 200
        assert len(reads) == 1
        for _ in range(6):  # six seconds, the watcher's look every second
            monotonic[0] += 1.0
            tenants.watch_tenant_changes()
            assert client.get("/api/v1/sessions", headers=tenant.headers).status_code == 200
        assert len(reads) == 1
        monotonic[0] += 2.1  # the watcher stopped: the entry expired, the request reads
        assert client.get("/api/v1/sessions", headers=tenant.headers).status_code == 200
        assert len(reads) == 2


def test_a_read_begun_before_this_worker_changed_a_tenant_is_not_kept():
    """The worker that changes a tenant forgets it at once, even while another thread
    of it is reading the old state."""
    local = TenantCache(fresh_s=60)

    def read_old_then_tenant_changes():
        local.clear()  # what _change_tenant does, while this read is under way
        return "old"

    assert local.get("k", read_old_then_tenant_changes) == "old"
    assert local.get("k", lambda: "new") == "new"


def test_last_known_files_left_in_clear_by_an_older_version_are_sealed_at_start_up(app, tenant, tmp_path):
    """What the gunicorn master runs before workers fork: an idle tenant's file from
    before encryption (clear secrets, 0644 in a 0755 directory) is rewritten sealed."""
    import json
    import stat

    from services.tenancy.tenant_cache import last_known
    from services.tenancy.tenant_secrets import revealed

    with app.app_context():
        directory = tmp_path / "tenant-cache"
        tenants.tenant_by_slug(tenant.slug)  # this version's file: sealed already, left as it is
        ours = (directory / f"{tenant.slug}.json").read_text()
        old = directory / "idle.json"
        old.write_text(json.dumps({"id": "x1", "slug": "idle", "name": "Idle", "cloud_app_secret": "clear-app-secret",
                                   "cloud_verify_token": "clear-verify-token", "updated_at": 1, "version": 0}))
        old.chmod(0o644)
        directory.chmod(0o755)
        (directory / "broken.json").write_text("{")
        assert last_known.seal_files(directory) == 1
        assert "clear-" not in old.read_text() and (directory / f"{tenant.slug}.json").read_text() == ours
        assert stat.S_IMODE(old.stat().st_mode) == 0o600 and stat.S_IMODE(directory.stat().st_mode) == 0o700
        assert not (directory / "broken.json").exists()
        recalled = last_known.recall("idle")
        assert revealed(recalled, "cloud_app_secret") == "clear-app-secret"
        assert revealed(recalled, "cloud_verify_token") == "clear-verify-token"
