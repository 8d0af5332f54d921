"""Who is calling: a tenant by API key, or the operator by CHATKEEP_ADMIN_TOKEN."""
from flask import current_app, g, request

from models.tenancy import reset_current_tenant, set_current_tenant
from schemas.problem import problem
from services.credentials import same_secret
from services.tenancy.tenants import is_known_api_key, tenant_for_api_key
from services.tenancy.throttle import throttle

MAX_KEY_LENGTH = 256


def _presented_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.headers.get("X-API-Key", "").strip() or None


def unauthorized(detail: str, bearer: bool = False):
    """401, counted by the throttle; `bearer` adds the challenge of Bearer-key endpoints."""
    throttle.failed(request.remote_addr or "unknown")
    headers = {"WWW-Authenticate": 'Bearer realm="chatkeep"'} if bearer else None
    return problem(401, "Unauthorized", detail, headers=headers)


def scope_to(tenant) -> None:
    """Scope every query of this request to `tenant` (released at teardown)."""
    g.tenant = tenant
    g.tenant_scope_token = set_current_tenant(tenant.id)


def too_many_failures():
    """A 429 for a client that failed authentication too often lately, else None."""
    wait = throttle.retry_after(request.remote_addr or "unknown")
    if not wait:
        return None
    return problem(429, "Too Many Requests", "Too many failed authentication attempts from this address; "
                   "retry later.", headers={"Retry-After": str(wait)})


def require_tenant():
    """before_request of tenant blueprints: resolve the tenant and scope every query to it."""
    key = _presented_secret()
    if not (key and is_known_api_key(key)):
        limited = too_many_failures()
        if limited:
            return limited
    if not key:
        return unauthorized("Send your API key as 'Authorization: Bearer <key>' or 'X-API-Key'.", bearer=True)
    tenant = tenant_for_api_key(key) if len(key) <= MAX_KEY_LENGTH else None
    if tenant is None:
        return unauthorized("The API key is not valid.", bearer=True)
    scope_to(tenant)
    return None


def release_tenant(_exc=None):
    token = g.pop("tenant_scope_token", None)
    if token is not None:
        reset_current_tenant(token)


def require_admin():
    """before_request of admin blueprints; with no admin token configured they do not exist."""
    expected = current_app.config.get("CHATKEEP_ADMIN_TOKEN")
    if not expected:
        return problem(404, "Not Found", "There is nothing at this address.")
    limited = too_many_failures()
    if limited:
        return limited
    presented = _presented_secret() or ""
    if not same_secret(presented, expected):
        return unauthorized("The admin token is not valid.", bearer=True)
    return None
