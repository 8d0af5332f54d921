"""Gateways post here: Evolution API, WAHA and the WhatsApp Cloud API.

Authentication comes before parsing: the tenant's webhook token (Evolution, WAHA) or
the Cloud API's HMAC signature over the raw body bytes. A request either stores its
events, spools them to disk while the database is unreachable (replayed later), or
changes nothing and says why: the only answers are stored, spooled, or retry later.
"""
import hashlib
import hmac
import logging
import re

import pymongo
from flask import Response, current_app, request
from pymongo.errors import PyMongoError

from blueprints.auth import count_failure, scope_to, too_many_failures, unauthorized
from blueprints.problems import DB_RETRY_AFTER_S
from extensions import PUBLIC, Blueprint
from schemas.problem import problem
from schemas.webhooks import GATEWAY_BODY, WebhookResultSchema
from services import json_text
from services.credentials import same_secret
from services.errors import database_unavailable
from services.gateways import spool, webhook_archive
from services.gateways.ingest import ingest, parser_for
from services.gateways.parsing import PayloadError
from services.privacy import ledger
from services.tenancy.tenant_secrets import revealed
from services.tenancy.tenants import tenant_by_slug, tenant_for_webhook_token

log = logging.getLogger(__name__)
EVENT_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){0,7}")  # Evolution's event names: messages-upsert

blp = Blueprint("webhooks", __name__, url_prefix="/webhooks",
                description="Gateway webhooks. Evolution and WAHA send the tenant's webhook_token as "
                            "?token= or X-Webhook-Token; the Cloud API is verified by X-Hub-Signature-256.")
TOKEN_DOC = {"parameters": [{"in": "query", "name": "token", "schema": {"type": "string"}, "required": False,
                             "description": "The tenant's webhook_token (or header X-Webhook-Token)."}]}


def payload_of(body: bytes):
    """The body's JSON value; ValueError if it is not JSON (RecursionError if absurdly
    nested). A gateway's lone surrogate (an emoji cut in two) becomes U+FFFD: the
    message is kept."""
    return json_text.loads(body, replace=True)


def _json_body():
    """(payload, None) or (None, problem response)."""
    try:
        payload = payload_of(request.get_data(cache=True))
    except ValueError:  # RecursionError (absurd nesting) is a 400 app-wide
        return None, problem(400, "Bad Request", "The body is not valid JSON.")
    if not isinstance(payload, dict):
        return None, problem(422, "Unprocessable Content", "The body must be a JSON object.",
                             errors={"_schema": ["The body must be a JSON object."]})
    return payload, None


def store(gateway: str, tenant, payload: dict, body: bytes):
    """Store a verified webhook's events (`payload`, parsed from `body`) for the current
    tenant: a result for WebhookResultSchema, or a problem response. Needs an app context."""
    try:
        events = parser_for(gateway)(payload)
    except PayloadError as exc:
        return problem(422, "Unprocessable Content", "The event lacks a required field; nothing was stored.",
                       errors={exc.field: [exc.message]})
    try:
        with pymongo.timeout(current_app.config["DB_TIMEOUT_MS"] / 1000):
            # Not a re-sent erased history: the erasure removed its archived copy for good.
            if current_app.config["WEBHOOK_ARCHIVE_DAYS"] and not ledger.only_erased_history(events):
                webhook_archive.keep(gateway, body)
            return ingest(events)
    except PyMongoError as exc:
        if not database_unavailable(exc):
            raise
    try:  # the payload is verified and valid: keep it until the database is back
        spool.append(current_app.config["DATA_DIR"], gateway, tenant.id, body)
    except OSError as exc:
        log.error("database down and spool not writable (%s): asking the gateway to retry", exc)
        return problem(503, "Service Unavailable", "Neither the database nor the spool can take this event now.",
                       headers={"Retry-After": str(DB_RETRY_AFTER_S)})
    return {"accepted": 0, "duplicates": 0, "ignored": 0, "spooled": len(events)}


def cloud_signed(tenant, body: bytes, signature: str) -> bool:
    """Whether `signature` (X-Hub-Signature-256) is `body`'s HMAC-SHA256 under the
    tenant's cloud_app_secret; never for a tenant without one (or no tenant). The bytes
    are hashed exactly as received: re-serialising would change Meta's \\u escapes."""
    secret = revealed(tenant, "cloud_app_secret") if tenant else None
    expected = "sha256=" + hmac.new((secret or "").encode(), body, hashlib.sha256).hexdigest()
    return bool(secret) and same_secret(signature, expected)


def _refused(detail: str):
    """Failed webhook authentication: 429 once the address failed too often, else 401.

    Credentials are checked before the throttle, so one tenant's misconfigured gateway
    never holds back another's valid webhooks from the same address (Meta sends every
    app's webhooks from shared addresses). That tells a guesser nothing: tokens carry
    256 random bits and signatures are HMAC-SHA256. Tenant lookups are cached; an
    unknown slug costs one indexed read."""
    return too_many_failures() or unauthorized(detail)


def token_tenant(gateway: str, slug: str, query_token: str | None, header_token: str | None):
    """The tenant whose webhook token a gateway sent, as ?token= or X-Webhook-Token; None
    for none or a wrong one."""
    token = query_token or header_token or ""
    if gateway == "evolution":
        token = _without_event_suffix(token)
    return tenant_for_webhook_token(slug, token) if token else None


def _token_webhook(slug: str, gateway: str):
    tenant = token_tenant(gateway, slug, request.args.get("token"), request.headers.get("X-Webhook-Token"))
    if tenant is None:
        return _refused("Send the tenant's webhook_token as ?token= or X-Webhook-Token.")
    payload, error = _json_body()
    if error:
        return error
    scope_to(tenant)
    return store(gateway, tenant, payload, request.get_data(cache=True))


@blp.route("/evolution/<slug>", methods=["POST"])
@blp.doc(security=PUBLIC, requestBody=GATEWAY_BODY, **TOKEN_DOC)
@blp.response(200, WebhookResultSchema)
def evolution_webhook(slug):
    """Evolution API v2 (v1 tolerated) events."""
    return _token_webhook(slug, "evolution")


@blp.route("/evolution/<slug>/<event_name>", methods=["POST"])
@blp.doc(security=PUBLIC, requestBody=GATEWAY_BODY, **TOKEN_DOC)
@blp.response(200, WebhookResultSchema)
def evolution_webhook_by_event(slug, event_name):
    """Evolution API events in its "webhook by events" mode, which appends the event's name
    to the configured URL (`.../messages-upsert`). The body's `event` decides, as on the
    plain URL; the name in the path is not trusted."""
    if not EVENT_NAME.fullmatch(event_name):
        return problem(404, "Not Found")
    return _token_webhook(slug, "evolution")


def _without_event_suffix(token: str) -> str:
    """Evolution appends `/<event-name>` to the whole configured URL, query included, so a
    `?token=` URL in "webhook by events" mode arrives as `?token=<token>/messages-upsert`.
    Tokens never hold '/' (URL-safe base64), so the suffix is cut off unambiguously."""
    head, slash, tail = token.rpartition("/")
    return head if slash and EVENT_NAME.fullmatch(tail) else token


@blp.route("/waha/<slug>", methods=["POST"])
@blp.doc(security=PUBLIC, requestBody=GATEWAY_BODY, **TOKEN_DOC)
@blp.response(200, WebhookResultSchema)
def waha_webhook(slug):
    """WAHA events."""
    return _token_webhook(slug, "waha")


@blp.route("/whatsapp/<slug>", methods=["GET"])
@blp.doc(security=PUBLIC, parameters=[
    {"in": "query", "name": name, "schema": {"type": "string"}, "required": True}
    for name in ("hub.mode", "hub.verify_token", "hub.challenge")])
@blp.response(200, description="The hub.challenge, echoed as text/plain.", content_type="text/plain")
def cloud_verify(slug):
    """Meta's verification handshake: echo hub.challenge when the verify token matches."""
    tenant = tenant_by_slug(slug)
    expected = (revealed(tenant, "cloud_verify_token") or "") if tenant else ""
    given = request.args.get("hub.verify_token", "")
    if (request.args.get("hub.mode") != "subscribe" or not expected
            or not same_secret(given, expected)):
        # Counted and throttled like a bad webhook token, checked first like one: the
        # verify token (16+ characters) authorises nothing but this echo, and Meta sends
        # every app's handshakes from the same addresses as their webhooks.
        limited = too_many_failures()
        if limited:
            return limited
        count_failure()
        return problem(403, "Forbidden", "hub.mode must be 'subscribe' and hub.verify_token must match.")
    return Response(request.args.get("hub.challenge", "")[:1024], mimetype="text/plain")


@blp.route("/whatsapp/<slug>", methods=["POST"])
@blp.doc(security=PUBLIC, requestBody=GATEWAY_BODY, parameters=[
    {"in": "header", "name": "X-Hub-Signature-256", "schema": {"type": "string"}, "required": True,
     "description": "sha256=<hex HMAC-SHA256 of the raw body with the tenant's cloud_app_secret>"}])
@blp.response(200, WebhookResultSchema)
def cloud_webhook(slug):
    """Cloud API messages and statuses; a bad item of a batch is reported, the rest kept."""
    tenant = tenant_by_slug(slug)
    if not cloud_signed(tenant, request.get_data(cache=True), request.headers.get("X-Hub-Signature-256", "")):
        return _refused("X-Hub-Signature-256 does not match the body signed with the tenant's cloud_app_secret.")
    payload, error = _json_body()
    if error:
        return error
    scope_to(tenant)
    return store("cloud", tenant, payload, request.get_data(cache=True))
