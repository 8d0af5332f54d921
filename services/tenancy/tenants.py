"""Tenants: creation, settings, API keys and their resolution.

Keys carry 256 bits of randomness, so a SHA-256 digest is a safe stored form: it is
looked up by an indexed equality match and compared again in constant time. Keys are
shown once, at creation or rotation. Secrets ChatKeep must read back (the Cloud app
secret and verify token) are stored encrypted (services.tenancy.tenant_secrets).
"""
import hashlib
import secrets

from mongoengine import NotUniqueError

from models.collections import GlobalCollection
from models.tenancy import tenant_scope
from models.tenant import Tenant
from services import clock
from services.credentials import same_secret
from services.errors import Conflict, found
from services.pagination import ASC, fetch_page
from services.tenancy.tenant_cache import cache, last_known
from services.tenancy.tenant_secrets import seal_changes

API_KEY_PREFIX = "ck_live_"
WEBHOOK_TOKEN_PREFIX = "ck_hook_"
SETTINGS = ("name", "cloud_app_secret", "cloud_verify_token", "chat_session_ttl_hours", "timezone",
            "message_retention_days")


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_tenant(slug: str, name: str) -> tuple[Tenant, dict]:
    """Create a tenant; returns it with its one-time secrets (api_key, webhook_token)."""
    secrets_shown_once = {"api_key": new_secret(API_KEY_PREFIX),
                          "webhook_token": new_secret(WEBHOOK_TOKEN_PREFIX)}
    now = clock.now_ms()
    tenant = Tenant(id=secrets.token_hex(12), slug=slug, name=name,
                    api_key_hash=hash_secret(secrets_shown_once["api_key"]),
                    webhook_token_hash=hash_secret(secrets_shown_once["webhook_token"]),
                    created_at=now, updated_at=now)
    try:
        tenant.save(force_insert=True)
    except NotUniqueError:
        raise Conflict(f"the slug '{slug}' is taken") from None
    return tenant, secrets_shown_once


def get_tenant(slug: str) -> Tenant:
    return found(Tenant.objects(slug=slug).first(), f"no tenant '{slug}'")



def each_tenant(slug: str | None = None):
    """The named tenant (NotFound if there is none), or every tenant in slug order, each
    with its queries scoped to it while the caller works on it. Every loop over tenants
    (upkeep, restore, commands) goes through here."""
    for tenant in [get_tenant(slug)] if slug else Tenant.objects.order_by("slug"):
        with tenant_scope(tenant.id):
            yield tenant


def list_tenants(limit: int, cursor: str | None, include_total: bool) -> dict:
    page = fetch_page(GlobalCollection(Tenant), {}, [("slug", ASC)], limit, cursor, include_total)
    page["items"] = [Tenant._from_son(doc) for doc in page["items"]]
    return page


def update_tenant(slug: str, changes: dict) -> Tenant:
    unknown = set(changes) - set(SETTINGS)
    if unknown:
        raise ValueError(f"not tenant settings: {sorted(unknown)}")
    return _change_tenant(slug, seal_changes(changes))


def rotate_secret(slug: str, which: str) -> tuple[Tenant, str]:
    """Replace the tenant's api_key or webhook_token; the old one stops working now."""
    prefix, field = {"api_key": (API_KEY_PREFIX, "api_key_hash"),
                     "webhook_token": (WEBHOOK_TOKEN_PREFIX, "webhook_token_hash")}[which]
    secret = new_secret(prefix)
    return _change_tenant(slug, {field: hash_secret(secret)}), secret


def _change_tenant(slug: str, fields: dict) -> Tenant:
    """Every change of a tenant: a new (updated_at, version) stamp, by which the
    last-known files see it, and this worker's cache forgotten at once (other workers'
    watchers compare whole documents)."""
    updated = Tenant.objects(slug=slug).modify(
        new=True, **{f"set__{k}": v for k, v in fields.items()}, set__updated_at=clock.now_ms(), inc__version=1)
    cache.clear()
    return found(updated, f"no tenant '{slug}'")


def tenant_for_webhook_token(slug: str, token: str) -> Tenant | None:
    tenant = tenant_by_slug(slug)
    if tenant is None or not same_secret(hash_secret(token), tenant.webhook_token_hash):
        return None
    return tenant


def tenant_by_slug(slug: str) -> Tenant | None:
    def load():
        tenant = Tenant.objects(slug=slug).first()
        if tenant is not None:
            last_known.remember(tenant)
        return tenant

    return cache.get(("slug", slug), load, fallback=lambda: last_known.recall(slug))


def watch_tenant_changes() -> int:
    """Re-read every tenant this worker has cached, in one query, and drop those that
    changed or are gone (services.tenancy.tenant_cache); returns how many were dropped.
    Compares whole documents, never stamps: no host's clock is trusted."""
    started = cache.now()
    # One batch: by default the server answers 101 documents and a getMore per further
    # batch, i.e. ten commands a second per worker for 1,000 cached tenants.
    return cache.revalidate(lambda ids: {t.id: t for t in Tenant.objects(id__in=sorted(ids)).batch_size(len(ids))},
                            started)


def is_known_api_key(api_key: str) -> bool:
    return cache.knows(("key", hash_secret(api_key)))


def tenant_for_api_key(api_key: str) -> Tenant | None:
    digest = hash_secret(api_key)
    tenant = cache.get(("key", digest), lambda: Tenant.objects(api_key_hash=digest).first())
    if tenant is None or not same_secret(digest, tenant.api_key_hash):
        return None
    return tenant
