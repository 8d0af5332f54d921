"""Who is signed in to the dashboard: a tenant or the operator, kept in the session cookie.

The cookie is signed (not encrypted) with SECRET_KEY, so it holds no secret: the
tenant's slug and a fingerprint of the credential used, an HMAC under SECRET_KEY of
the stored key hash (or of the admin token's hash). Each request compares it with the
tenant's current key hash: after a key rotation, or a new admin token, the cookie no
longer matches and the dashboard asks to sign in again.
"""
import hashlib
import hmac
import time

from flask import current_app, session

from services.credentials import same_secret
from services.tenancy.tenants import hash_secret, tenant_by_slug

MAX_AGE_S = 12 * 3600  # a signed-in browser is asked for the key again after this


def fingerprint(credential_digest: str) -> str:
    key = current_app.secret_key
    key = key if isinstance(key, bytes) else key.encode()
    return hmac.new(key, b"chatkeep-dashboard\0" + credential_digest.encode(), hashlib.sha256).hexdigest()


def sign_in_tenant(tenant) -> None:
    session.clear()  # a fresh session (and CSRF token) for the signed-in browser
    session.update(who="tenant", slug=tenant.slug, fp=fingerprint(tenant.api_key_hash), at=int(time.time()))


def sign_in_operator(admin_token: str) -> None:
    session.clear()
    session.update(who="admin", fp=fingerprint(hash_secret(admin_token)), at=int(time.time()))


def sign_out() -> None:
    session.clear()


def signed_in():
    """("tenant", Tenant) or ("admin", None); None when nobody is signed in, the
    sign-in is too old or its credential has changed since."""
    signed_at, who, presented = session.get("at"), session.get("who"), session.get("fp")
    if not isinstance(signed_at, int) or not isinstance(presented, str) or time.time() - signed_at > MAX_AGE_S:
        return None
    if who == "admin":
        token = current_app.config.get("CHATKEEP_ADMIN_TOKEN")
        if token and same_secret(presented, fingerprint(hash_secret(token))):
            return "admin", None
    elif who == "tenant" and isinstance(session.get("slug"), str):
        tenant = tenant_by_slug(session["slug"])
        if tenant is not None and same_secret(presented, fingerprint(tenant.api_key_hash)):
            return "tenant", tenant
    return None
