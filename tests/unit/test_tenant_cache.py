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
