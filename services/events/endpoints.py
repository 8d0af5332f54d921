"""Tenants' webhook endpoints: created, changed, listed, deleted; secrets shown once.

The secret signs every delivery (services.events.signing). It is stored encrypted
with SECRET_KEY and shown only at creation and rotation. Deleting an endpoint drops
its pending deliveries and its delivery log.
"""
import secrets

from models.collections import scoped
from models.webhook_endpoint import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from services import clock, secret_box
from services.errors import found
from services.pagination import fetch_page

SECRET_PREFIX = "whsec_"
CHANGEABLE = ("url", "types", "description", "enabled")


def _endpoints():
    return scoped(WebhookEndpoint)


def public(endpoint: dict, secret: str | None = None) -> dict:
    shown = {"id": endpoint["_id"], "url": endpoint["url"], "types": endpoint.get("types") or [],
             "description": endpoint.get("description"), "enabled": bool(endpoint.get("enabled", True)),
             "disabled_reason": endpoint.get("disabled_reason"), "created_at": endpoint["created_at"],
             "updated_at": endpoint["updated_at"]}
    if secret is not None:
        shown["secret"] = secret
    return shown


def create_endpoint(url: str, types: list, description: str | None) -> dict:
    now, secret = clock.now_ms(), _new_secret()
    document = {"_id": "we_" + secrets.token_hex(12), "url": url, "types": sorted(set(types or [])),
                "description": description, "enabled": True, "secret": secret_box.encrypt(secret),
                "failing_since": 0, "paused_until": 0, "created_at": now, "updated_at": now}
    _endpoints().insert_one(document)
    return public(document, secret)


def get_endpoint(endpoint_id: str) -> dict:
    return found(_endpoints().find_one({"_id": endpoint_id}), f"no webhook endpoint '{endpoint_id}'")


def list_endpoints(limit: int, cursor: str | None, include_total: bool) -> dict:
    page = fetch_page(_endpoints(), {}, [("created_at", -1), ("_id", -1)], limit, cursor, include_total)
    return {**page, "items": [public(e) for e in page["items"]]}


def update_endpoint(endpoint_id: str, changes: dict) -> dict:
    get_endpoint(endpoint_id)
    fields = {name: changes[name] for name in CHANGEABLE if name in changes}
    if "types" in fields:
        fields["types"] = sorted(set(fields["types"] or []))
    if fields.get("enabled"):  # enabled again by hand: a fresh start
        fields.update(disabled_reason=None, failing_since=0, paused_until=0)
    fields["updated_at"] = clock.now_ms()
    _endpoints().update_one({"_id": endpoint_id}, {"$set": fields})
    return public(get_endpoint(endpoint_id))


def rotate_secret(endpoint_id: str) -> dict:
    get_endpoint(endpoint_id)
    secret = _new_secret()
    _endpoints().update_one({"_id": endpoint_id},
                            {"$set": {"secret": secret_box.encrypt(secret), "updated_at": clock.now_ms()}})
    return public(get_endpoint(endpoint_id), secret)


def delete_endpoint(endpoint_id: str) -> None:
    get_endpoint(endpoint_id)
    scoped(WebhookDelivery).delete_many({"endpoint_id": endpoint_id})
    scoped(WebhookAttempt).delete_many({"endpoint_id": endpoint_id})
    _endpoints().delete_one({"_id": endpoint_id})


def delivery_log(endpoint_id: str, limit: int, cursor: str | None) -> dict:
    get_endpoint(endpoint_id)
    return fetch_page(scoped(WebhookAttempt), {"endpoint_id": endpoint_id}, [("at", -1), ("_id", -1)], limit,
                      cursor)


def recent_attempts(endpoint_ids: list[str], limit: int) -> dict:
    """{endpoint id: its newest attempts}, at most `limit` in all: one query for a page."""
    by_endpoint = {endpoint_id: [] for endpoint_id in endpoint_ids}
    if endpoint_ids:
        for attempt in scoped(WebhookAttempt).find({"endpoint_id": {"$in": endpoint_ids}},
                                                   sort=[("at", -1), ("_id", -1)], limit=limit):
            by_endpoint[attempt["endpoint_id"]].append(attempt)
    return by_endpoint


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)
