"""Delivering events to tenants' webhook endpoints: fan-out, attempts, retries.

`fan_out` reads the current tenant's event feed after its dispatch cursor and makes a
delivery for every enabled endpoint the event matches (created before the event, of a
type it asked for); a delivery's id joins endpoint and event, so a fan-out repeated
after a crash makes nothing twice. Then the cursor moves. Deliveries live in the
database: they survive restarts and kill -9, and one process in the deployment makes
them (the scheduler's webhook lease).

`deliver_due` attempts what is due, endpoint by endpoint: each endpoint is a lane of its
own in a bounded pool, and one endpoint is never in two lanes at once, so a slow or
dead endpoint holds one thread for one timeout and never delays other endpoints or
tenants. A 2xx within WEBHOOK_TIMEOUT_S is delivered; anything else is retried after
WEBHOOK_RETRY_BASE_S, doubling, and given up 3 days after it first fell due. An endpoint
failing every attempt for 3 days is disabled with a reason. Redirects are not followed
and the address is checked before every attempt (services.outbound).
"""
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from pymongo.errors import DuplicateKeyError

from models.collections import GlobalCollection, scoped
from models.event import Event
from models.tenancy import tenant_scope
from models.tenant import Tenant
from models.webhook_endpoint import WebhookAttempt, WebhookDelivery, WebhookDispatch, WebhookEndpoint
from services import clock, outbound, secret_box
from services.events import feed
from services.events.signing import signature
from services.operations.metrics import WEBHOOK_DELIVERIES, WEBHOOK_OLDEST_PENDING

log = logging.getLogger(__name__)
GIVE_UP_AFTER_MS = 3 * clock.DAY_MS
DISABLE_AFTER_MS = 3 * clock.DAY_MS
FAN_OUT_BATCH = 500
LANE_BATCH = 50  # attempts one lane makes before it lets the next tick look again
USER_AGENT = "ChatKeep-Webhooks/1"


def fan_out(read_feed) -> int:
    """Deliveries made from the current tenant's new events; `read_feed(after, limit)` ->
    (events, next position), each event {"id", "type", "time", "envelope"}."""
    endpoints = list(scoped(WebhookEndpoint).find({"enabled": True}))
    if not endpoints:
        return 0
    dispatch = scoped(WebhookDispatch).find_one({})
    # Positions start with the event's ms: an endpoint gets events from its creation on.
    after = dispatch["after"] if dispatch else f"{min(e['created_at'] for e in endpoints):013d}"
    made = 0
    while True:
        events, next_after = read_feed(after, FAN_OUT_BATCH)
        for event in events:
            made += sum(_deliver_later(endpoint, event) for endpoint in endpoints if _wants(endpoint, event))
        if next_after != after:
            scoped(WebhookDispatch).update_one({}, {"$set": {"after": next_after}}, upsert=True)
            after = next_after
        if len(events) < FAN_OUT_BATCH:
            return made


def settled_feed(envelope, slug: str):
    """The current tenant's event feed as fan_out reads it: settled events only (the feed's
    own rule, docs/EVENTS.md), so none can appear later behind the dispatch cursor."""
    def read(after: str, limit: int):
        events = list(scoped(Event).find({"pos": {"$gt": after, "$lt": feed.horizon()}}, sort=[("pos", 1)],
                                         limit=limit))
        return ([{"id": e["_id"], "type": e["type"], "time": e["time"], "envelope": envelope(e, slug)}
                 for e in events], events[-1]["pos"] if events else after)
    return read


def run_round(deliverer: "Deliverer", settings: dict, envelope) -> int:
    """One tick of the delivering process: fan out and start the due lanes of every tenant
    with an enabled endpoint; sets the oldest-pending gauge. Lanes started."""
    started = 0
    for tenant_id in tenants_with_endpoints():
        with tenant_scope(tenant_id):
            tenant = GlobalCollection(Tenant).find_one({"_id": tenant_id})
            if tenant is None:
                continue
            fan_out(settled_feed(envelope, tenant["slug"]))
        started += deliverer.deliver_due(tenant_id, settings)
    WEBHOOK_OLDEST_PENDING.set(oldest_pending_age_s())
    return started


def _wants(endpoint: dict, event: dict) -> bool:
    return event["time"] >= endpoint["created_at"] and (not endpoint.get("types") or event["type"] in endpoint["types"])


def _deliver_later(endpoint: dict, event: dict) -> bool:
    now = clock.now_ms()
    try:
        scoped(WebhookDelivery).insert_one({
            "_id": f"{endpoint['_id']}:{event['id']}", "endpoint_id": endpoint["_id"], "event_id": event["id"],
            "event_type": event["type"], "envelope": event["envelope"], "state": "pending", "attempts": 0,
            "first_due_at": now, "next_attempt_at": now})
        return True
    except DuplicateKeyError:  # fanned out before a crash cut the cursor's move off
        return False


class Deliverer:
    """The lanes of one process: at most `concurrency` attempts at once, one lane per endpoint."""

    def __init__(self, concurrency: int):
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="webhook")
        self._in_flight: set = set()
        self._lock = threading.Lock()

    def deliver_due(self, tenant_id: str, settings: dict) -> int:
        """Start a lane for each of the tenant's endpoints with deliveries due; how many started."""
        now = clock.now_ms()
        with tenant_scope(tenant_id):
            endpoints = {e["_id"]: e for e in scoped(WebhookEndpoint).find({"enabled": True})
                         if e.get("paused_until", 0) <= now}
            # Only enabled, unpaused endpoints' deliveries: a dead endpoint's backlog, oldest of
            # all, would otherwise fill the batch and starve the healthy endpoints.
            due = scoped(WebhookDelivery).find({"state": "pending", "next_attempt_at": {"$lte": now},
                                                "endpoint_id": {"$in": sorted(endpoints)}},
                                               projection={"endpoint_id": 1}, sort=[("next_attempt_at", 1)],
                                               limit=LANE_BATCH * max(len(endpoints), 1))
            waiting = {d["endpoint_id"] for d in due} & endpoints.keys()
        started = 0
        for endpoint_id in sorted(waiting):
            key = (tenant_id, endpoint_id)
            with self._lock:
                if key in self._in_flight:
                    continue
                self._in_flight.add(key)
            self._pool.submit(self._lane, tenant_id, endpoints[endpoint_id], settings)
            started += 1
        return started

    def _lane(self, tenant_id: str, endpoint: dict, settings: dict) -> None:
        try:
            with tenant_scope(tenant_id):
                for delivery in list(scoped(WebhookDelivery).find(
                        {"endpoint_id": endpoint["_id"], "state": "pending", "next_attempt_at": {"$lte": clock.now_ms()}},
                        sort=[("next_attempt_at", 1)], limit=LANE_BATCH)):
                    if not attempt(delivery, endpoint, settings):
                        break  # the endpoint is failing: its other deliveries wait for the pause
        except Exception:  # a lane's surprise must not end the deliverer
            log.exception("webhook lane for endpoint %s failed", endpoint["_id"])
        finally:
            with self._lock:
                self._in_flight.discard((tenant_id, endpoint["_id"]))

    def wait_idle(self, timeout_s: float) -> bool:
        """For tests and shutdown: True once no lane is running."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if not self._in_flight:
                    return True
            time.sleep(0.01)
        return False


def attempt(delivery: dict, endpoint: dict, settings: dict) -> bool:
    """POST one delivery once and record the outcome; True if delivered."""
    body = json.dumps(delivery["envelope"], separators=(",", ":"), ensure_ascii=False).encode()
    timeout_s = settings["WEBHOOK_TIMEOUT_S"]
    status_code, error = None, None
    started = time.perf_counter()
    try:
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   "ChatKeep-Event-Id": delivery["event_id"], "ChatKeep-Event-Type": delivery["event_type"],
                   "ChatKeep-Signature": signature(secret_box.decrypt(endpoint["secret"]), int(time.time()), body)}
        status_code = outbound.post(endpoint["url"], body, headers, timeout_s,
                                    settings["OUTBOUND_ALLOW_PRIVATE"]).status
        if not 200 <= status_code < 300:
            error = f"answered {status_code}" + (" (redirects are not followed)" if 300 <= status_code < 400 else "")
    except outbound.OutboundRefused as exc:
        error = f"the URL {exc}"
    except secret_box.SecretKeyError:
        error = "the endpoint's secret cannot be decrypted with this SECRET_KEY: rotate it"
    except outbound.OutboundTimeout:
        error = f"no answer within {timeout_s} s"
    except outbound.OutboundFailed as exc:
        error = f"could not be reached ({exc})"
    duration_ms = round((time.perf_counter() - started) * 1000)
    _record(delivery, endpoint, settings, status_code, error, duration_ms)
    return error is None


def _record(delivery, endpoint, settings, status_code, error, duration_ms) -> None:
    now, number = clock.now_ms(), delivery["attempts"] + 1
    entry = {"_id": f"{delivery['_id']}:{number}", "endpoint_id": endpoint["_id"], "event_id": delivery["event_id"],
             "event_type": delivery["event_type"], "attempt": number, "status_code": status_code, "error": error,
             "duration_ms": duration_ms, "at": now, "delivered_at": None, "next_attempt_at": None}
    if error is None:
        entry["delivered_at"] = now
        update, outcome = {"state": "delivered", "next_attempt_at": None}, "delivered"
        scoped(WebhookEndpoint).update_one({"_id": endpoint["_id"], "failing_since": {"$gt": 0}},
                                           {"$set": {"failing_since": 0, "paused_until": 0}})
    else:
        # The last retry falls at the end of the 3 days, however the doubling lands.
        give_up_at = delivery["first_due_at"] + GIVE_UP_AFTER_MS
        retry_at = min(now + settings["WEBHOOK_RETRY_BASE_S"] * 1000 * 2 ** (number - 1), give_up_at)
        if now >= give_up_at:
            update, outcome = {"state": "given_up", "next_attempt_at": None}, "given_up"
            log.warning("webhook delivery of event %s to endpoint %s given up after %s attempts: %s",
                        delivery["event_id"], endpoint["_id"], number, error)
        else:
            entry["next_attempt_at"] = retry_at
            update, outcome = {"next_attempt_at": retry_at}, "failed"
        _note_failure(endpoint, now, error, retry_at)
    try:
        scoped(WebhookAttempt).insert_one(entry)
    except DuplicateKeyError:  # a lane cut off after logging this attempt, before counting it
        pass
    scoped(WebhookDelivery).update_one({"_id": delivery["_id"]}, {"$set": {**update, "attempts": number}})
    WEBHOOK_DELIVERIES.labels(outcome).inc()


def _note_failure(endpoint: dict, now: int, error: str, retry_at: int) -> None:
    endpoints = scoped(WebhookEndpoint)
    endpoints.update_one({"_id": endpoint["_id"], "failing_since": 0}, {"$set": {"failing_since": now}})
    endpoints.update_one({"_id": endpoint["_id"]}, {"$max": {"paused_until": min(retry_at, now + 3600_000)}})
    failing_since = endpoint.get("failing_since") or now
    if now - failing_since >= DISABLE_AFTER_MS:
        reason = (f"disabled at {clock.iso(now)}: every delivery failed since {clock.iso(failing_since)}; "
                  f"last error: {error}")
        endpoints.update_one({"_id": endpoint["_id"]}, {"$set": {"enabled": False, "disabled_reason": reason}})
        log.warning("webhook endpoint %s %s", endpoint["_id"], reason)


def tenants_with_endpoints() -> list[str]:
    """Tenants that have an enabled endpoint (a small collection, read whole)."""
    return sorted({e["tenant_id"] for e in GlobalCollection(WebhookEndpoint).find({"enabled": True},
                                                                                   projection={"tenant_id": 1})})


def oldest_pending_age_s() -> float:
    """Across tenants: how long the oldest pending delivery has been due."""
    oldest = None
    for tenant_id in tenants_with_endpoints():
        with tenant_scope(tenant_id):
            for delivery in scoped(WebhookDelivery).find({"state": "pending"}, sort=[("first_due_at", 1)], limit=1,
                                                         projection={"first_due_at": 1}):
                oldest = delivery["first_due_at"] if oldest is None else min(oldest, delivery["first_due_at"])
    return 0.0 if oldest is None else max(0.0, (clock.now_ms() - oldest) / 1000)
