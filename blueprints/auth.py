"""Who is calling: a tenant by API key, or the operator by CHATKEEP_ADMIN_TOKEN.

Failed authentications are counted per client address (request.remote_addr: the
client's own behind TRUSTED_PROXY_COUNT proxies, see app.register_proxy_fix), so one
address's failures never refuse another address's credential. Whether an address
that failed too often may still present a correct credential depends on whether the
credential can be guessed; if a throttled address got 200 for a right guess and 429
for wrong ones, the throttle would not slow a guesser at all:

- CHATKEEP_ADMIN_TOKEN and METRICS_TOKEN are chosen by the operator (16+ characters),
  so they might be guessed: a throttled address gets 429 before the token is looked
  at, right or wrong, and learns nothing. The price is that a correct token from that
  same address waits too, for at most a minute; no other address is affected.
- API keys and webhook tokens carry 256 random bits and Cloud API signatures are
  HMAC-SHA256: they cannot be guessed, so the throttle only sheds the load of broken
  clients. A key this worker already verified passes a throttled address (a tenant is
  not held back by a misconfigured neighbour behind the same NAT); webhooks are checked
  first and only failures are throttled (blueprints.webhooks).
"""
from flask import current_app, g, request

from models.tenancy import reset_current_tenant, set_current_tenant
from schemas.problem import problem
from services.credentials import same_secret
from services.tenancy.tenants import is_known_api_key, tenant_for_api_key
from services.tenancy.throttle import throttle

MAX_KEY_LENGTH = 256


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def _presented_api_key() -> str | None:
    return _bearer_token() or request.headers.get("X-API-Key", "").strip() or None


def _client() -> str:
    return request.remote_addr or "unknown"


def count_failure() -> None:
    throttle.failed(_client())


def unauthorized(detail: str, bearer: bool = False):
    """401, counted by the throttle; `bearer` adds the challenge of Bearer-key endpoints."""
    count_failure()
    headers = {"WWW-Authenticate": 'Bearer realm="chatkeep"'} if bearer else None
    return problem(401, "Unauthorized", detail, headers=headers)


def scope_to(tenant) -> None:
    """Scope every query of this request to `tenant` (released at teardown)."""
    g.tenant = tenant
    g.tenant_scope_token = set_current_tenant(tenant.id)


def too_many_failures():
    """A 429 for a client that failed authentication too often lately, else None."""
    wait = throttle.retry_after(_client())
    if not wait:
        return None
    return problem(429, "Too Many Requests", "Too many failed authentication attempts from this address; "
                   "retry later.", headers={"Retry-After": str(wait)})


def require_tenant():
    """before_request of tenant blueprints: resolve the tenant and scope every query to it."""
    key = _presented_api_key()
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


def require_operator_token(expected: str, what: str):
    """401 unless `Authorization: Bearer <expected>`; 429 first for an address that
    failed too often (the token is guessable: see the module's docstring)."""
    limited = too_many_failures()
    if limited:
        return limited
    if not same_secret(_bearer_token() or "", expected):
        return unauthorized(f"Send the {what} as 'Authorization: Bearer <token>'.", bearer=True)
    return None


def require_admin():
    """before_request of admin blueprints; with no admin token configured they do not exist.
    The admin token is accepted only here, and only as a Bearer token (the contract)."""
    expected = current_app.config.get("CHATKEEP_ADMIN_TOKEN")
    if not expected:
        return problem(404, "Not Found", "There is nothing at this address.")
    return require_operator_token(expected, "admin token")
