"""Tenants' webhook endpoints: created, changed, listed, deleted; secrets shown once.

The secret signs every delivery (services.events.signing). It is stored encrypted
with SECRET_KEY and shown only at creation and rotation. Deleting an endpoint drops
its pending deliveries and its delivery log. Each endpoint has a lane (models
WebhookLane) the delivering process schedules by: made with the endpoint (not yet
joined: the fan-out catches it up from its creation), due again when it is enabled.
"""
import secrets

from models.collections import GlobalCollection, scoped
from models.tenancy import current_tenant_id
from models.webhook_endpoint import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookLane
from services import clock, secret_box
from services.errors import found
from services.events.webhook_delivery import GIVE_UP_AFTER_MS
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


def count_endpoints() -> int:
    return _endpoints().count({})


def create_endpoint(url: str, types: list, description: str | None) -> dict:
    from services.events.webhook_fanout import ensure_cursor

    ensure_cursor()  # the deployment's first endpoint: fan-out starts now, not at the oldest event
    now, secret = clock.now_ms(), _new_secret()
    document = {"_id": "we_" + secrets.token_hex(12), "url": url, "types": sorted(set(types or [])),
                "description": description, "enabled": True, "secret": secret_box.encrypt(secret),
                "failing_since": 0, "paused_until": 0, "created_at": now, "updated_at": now}
    # The lane first: the delivering process, meeting the endpoint, finds it not joined yet
    # and catches it up from its creation (a lane left by a failed insert is dropped by its run).
    GlobalCollection(WebhookLane).insert_one({"_id": document["_id"], "tenant_id": current_tenant_id(),
                                              "due_at": now, "due_seq": 0, "slow": False, "joined": False,
                                              "changed": True})
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
    _changed(endpoint_id, enabled=bool(fields.get("enabled")))
    return public(get_endpoint(endpoint_id))


def _changed(endpoint_id: str, enabled: bool = False) -> None:
    """Tell the delivering process through the endpoint's lane: due now and `changed`, so
    it reads the endpoints again (types, enabled) at its next round, on any host; enabled
    again, its lane goes now with what it missed while paused."""
    update = {"due_at": clock.now_ms(), "changed": True, **({"slow": False} if enabled else {})}
    GlobalCollection(WebhookLane).update_many({"_id": endpoint_id, "tenant_id": current_tenant_id()},
                                              {"$set": update, "$inc": {"due_seq": 1}})


def rotate_secret(endpoint_id: str) -> dict:
    get_endpoint(endpoint_id)
    secret = _new_secret()
    _endpoints().update_one({"_id": endpoint_id},
                            {"$set": {"secret": secret_box.encrypt(secret), "updated_at": clock.now_ms()}})
    return public(get_endpoint(endpoint_id), secret)


def delete_endpoint(endpoint_id: str) -> None:
    """Its lane is not deleted here but marked `deleted`, `changed` and due, so the
    delivering process, on whichever host, reads the endpoints again at its next round
    and drops the lane with anything its fan-out made meanwhile (webhook_delivery.drop_lane).
    The lane is marked first: a request cut off before the endpoint goes can be sent again
    (a lane marked so whose endpoint is still there stays; its endpoint's deletion, or a
    lane run finding it gone, marks it again)."""
    get_endpoint(endpoint_id)
    GlobalCollection(WebhookLane).update_many({"_id": endpoint_id, "tenant_id": current_tenant_id()},
                                              {"$set": {"due_at": clock.now_ms(), "changed": True, "deleted": True},
                                               "$inc": {"due_seq": 1}})
    _endpoints().delete_one({"_id": endpoint_id})
    scoped(WebhookDelivery).delete_many({"endpoint_id": endpoint_id})
    scoped(WebhookAttempt).delete_many({"endpoint_id": endpoint_id})


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


def prune_deliveries(log_days: int, events_days: int) -> int:
    """The upkeep's, for the current tenant: delivered and given-up deliveries and attempt
    log entries older than `log_days` (attempts also older than a delivery's retries),
    and deliveries still waiting (a paused endpoint's) for events older than the events'
    own retention, which could no longer be sent."""
    now = clock.now_ms()
    log_cutoff = now - log_days * clock.DAY_MS
    removed = scoped(WebhookDelivery).delete_many({"state": {"$in": ["delivered", "given_up"]},
                                                   "done_at": {"$lt": log_cutoff}})
    # An attempt stays while its delivery may still be retried (GIVE_UP_AFTER_MS from its
    # first attempt), so a short retention never cuts a retrying delivery's log short.
    attempts_cutoff = min(log_cutoff, now - GIVE_UP_AFTER_MS)
    removed += scoped(WebhookAttempt).delete_many({"at": {"$lt": attempts_cutoff}})
    expired = f"{now - events_days * clock.DAY_MS:013d}"
    for endpoint in _endpoints().find({}, projection={"_id": 1}):
        removed += scoped(WebhookDelivery).delete_many({"endpoint_id": endpoint["_id"],
                                                        "state": {"$in": ["pending", "sending"]},
                                                        "pos": {"$lt": expired}})
    return removed
