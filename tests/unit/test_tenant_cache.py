"""The tenant cache: no read per request while the change watcher vouches for it."""
from services.tenancy import tenants
from services.tenancy.tenant_cache import cache


def test_watcher_keeps_entries_fresh_and_forgets_changed_tenants(app, client, admin, tenant):
    with app.app_context():
        cache.fresh_s = 0.0  # without the watcher, every lookup would read the database
        tenants.watch_tenant_changes(interval_s=60)
        first = tenants.tenant_for_api_key(tenant.api_key)
        assert first is not None
        assert tenants.tenant_for_api_key(tenant.api_key) is first  # served from the cache
        rotated = client.post(f"/api/v1/admin/tenants/{tenant.slug}/rotate-key", headers=admin).get_json()
        tenants.watch_tenant_changes(interval_s=60)
        assert tenants.tenant_for_api_key(tenant.api_key) is None
        assert tenants.tenant_for_api_key(rotated["api_key"]).slug == tenant.slug


def test_changes_made_elsewhere_are_forgotten_by_the_watcher(app, tenant):
    with app.app_context():
        cache.fresh_s = 0.0
        tenants.watch_tenant_changes(interval_s=60)
        assert tenants.tenant_by_slug(tenant.slug).timezone == "UTC"
        # Another process changes the tenant, in the millisecond of its last change (as
        # update_tenant writes): this one's cache is not cleared by it...
        from models.tenant import Tenant
        cached = tenants.tenant_by_slug(tenant.slug)
        Tenant.objects(slug=tenant.slug).update(set__timezone="America/Sao_Paulo",
                                                 set__updated_at=cached.updated_at, inc__version=1)
        assert tenants.tenant_by_slug(tenant.slug).timezone == "UTC"
        tenants.watch_tenant_changes(interval_s=60)  # ...until the watcher's next look
        assert tenants.tenant_by_slug(tenant.slug).timezone == "America/Sao_Paulo"


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
