"""One endpoint's lane: its due deliveries, each claimed, rendered, POSTed and recorded.

A lane (run by services.events.webhook_lanes, for the process holding the webhook
lease) takes the endpoint's pending deliveries in feed order. Before each attempt it
reads the endpoint as it is now (a rotated secret, a new URL, a pause or a delete
count from the next attempt) and claims the delivery, pending -> sending with an
expiry, in one conditional write: a second process that took the lease meanwhile
cannot send it too, and a sender that died lets it go at the expiry.

Each subject keeps its order per endpoint: a delivery waiting for its retry holds the
later deliveries of its subject back, never those of other subjects. A 2xx within
WEBHOOK_TIMEOUT_S is delivered. A 4xx (but 408 and 429) rejects that one payload: it is
retried, and the endpoint goes on with its other subjects. Anything else (no answer, a
5xx, a redirect: none is followed) pauses the endpoint until the retry; retries start
at WEBHOOK_RETRY_BASE_S, doubling, and are given up 3 days after the delivery first
fell due. An endpoint failing every attempt for 3 days is disabled with a reason.
The envelope is rendered when sent, from the event log (`render_envelopes`, the one
place); a delivery whose event is gone (retention, erasure) is dropped.
"""
import logging
import secrets
import time

from pymongo.errors import DuplicateKeyError

from models.collections import GlobalCollection, scoped
from models.event import Event
from models.tenancy import tenant_scope
from models.webhook_endpoint import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookLane
from services import clock, json_text, outbound, secret_box
from services.events.signing import signature
from services.operations.metrics import WEBHOOK_DELIVERIES

log = logging.getLogger(__name__)
GIVE_UP_AFTER_MS = 3 * clock.DAY_MS
DISABLE_AFTER_MS = 3 * clock.DAY_MS
LANE_BATCH = 50  # deliveries one lane run sends at most, before the endpoint waits its turn again
LOOK_AHEAD = 4  # ...of up to LANE_BATCH * LOOK_AHEAD waiting ones it looks at
SLOW_MS = 500  # an attempt longer than this makes its endpoint a slow one
USER_AGENT = "ChatKeep-Webhooks/1"
WAITING = ("pending", "sending")
CLAIM_RECHECK_MS = 2000


def claim_ms(settings: dict) -> int:
    """How long a claim holds: well past one attempt's deadline."""
    return settings["WEBHOOK_TIMEOUT_S"] * 3000 + 30_000


def render_envelopes(event_ids: list, slug: str, render) -> dict:
    """{event id: envelope} of the current tenant's events among `event_ids`: one read of
    the events, one of their messages; `render` is app.extensions["chatkeep_event_envelopes"]
    (services cannot import schemas)."""
    events = scoped(Event).find_by_ids(event_ids)
    return dict(zip([event["_id"] for event in events], render(events, slug)))


def run_lane(endpoint_id: str, slug: str, seq: int, settings: dict, render, still_mine) -> None:
    """One run of the endpoint's lane in the current tenant. `seq` is the
    lane's due_seq when it was started; `still_mine()` is False once this process lost
    the lease (nothing more is sent)."""
    deliveries = scoped(WebhookDelivery)
    # Rows are small (no envelope): look past a subject held back by a retry, so a long
    # held subject does not hide the endpoint's other subjects behind it.
    rows = list(deliveries.find({"endpoint_id": endpoint_id, "state": {"$in": list(WAITING)}},
                                sort=[("pos", 1)], limit=LANE_BATCH * LOOK_AHEAD))
    now, held, next_due, candidates = clock.now_ms(), set(), None, []
    for row in rows:
        # Another sender's claim (a holder that lost the lease mid-attempt): it ends with
        # that attempt, long before the claim lapses; look again soon.
        due_at = row["next_attempt_at"] if row["state"] == "pending" else min(row.get("claim_until", 0),
                                                                              now + CLAIM_RECHECK_MS)
        subject = row.get("subject") or row["_id"]  # deliveries made before subjects were kept: their own
        if subject in held or due_at > now:
            held.add(subject)  # its subject's later deliveries wait behind it
            next_due = due_at if next_due is None else min(next_due, due_at)
        elif len(candidates) < LANE_BATCH:
            candidates.append((subject, row))
    more = len(candidates) == LANE_BATCH or len(rows) == LANE_BATCH * LOOK_AHEAD
    envelopes = render_envelopes([r["event_id"] for _s, r in candidates], slug, render) if candidates else {}
    token, slow, stopped = secrets.token_hex(8), False, False
    for subject, row in candidates:
        if subject in held:  # rejected earlier in this run: the rest of its subject waits
            continue
        endpoint = scoped(WebhookEndpoint).find_one({"_id": endpoint_id})  # as it is now
        if endpoint is None or not endpoint.get("enabled", True) or endpoint.get("paused_until", 0) > clock.now_ms():
            stopped = True
            break
        if not still_mine():
            return
        if row["event_id"] not in envelopes:  # the event is gone (retention, erasure): nothing to send
            deliveries.delete_one({"_id": row["_id"], "state": row["state"]})
            continue
        if not _claim(row, token, settings):
            held.add(subject)
            continue
        outcome, duration_ms = attempt(row, envelopes[row["event_id"]], endpoint, settings, token)
        slow = slow or outcome == "endpoint_failed" or duration_ms > SLOW_MS
        if outcome == "endpoint_failed":
            stopped = True
            break
        if outcome != "delivered":
            held.add(subject)
            more = True  # its retry time is read at the next run
    _lane_done(endpoint_id, seq, more, stopped, next_due, slow)


def _lane_done(endpoint_id, seq, more, stopped, next_due, slow) -> None:
    """The lane's next due time, unless a fan-out has marked it since it started."""
    endpoint = scoped(WebhookEndpoint).find_one({"_id": endpoint_id}) if stopped else None
    if stopped:
        due = endpoint.get("paused_until") if endpoint and endpoint.get("enabled", True) else None
        due = due or None
    elif more:
        due = clock.now_ms()  # more behind this batch
    else:
        due = next_due
    if stopped and endpoint is None:  # deleted: the engine drops the lane, after reading the endpoints again
        GlobalCollection(WebhookLane).update_one({"_id": endpoint_id}, {"$set": {
            "deleted": True, "changed": True, "due_at": clock.now_ms()}})
        return
    GlobalCollection(WebhookLane).update_one({"_id": endpoint_id, "due_seq": seq},
                                             {"$set": {"due_at": due, "slow": slow}})


def drop_lane(tenant_id: str, endpoint_id: str) -> None:
    """A deleted endpoint's lane, and what still waits in it: deliveries a fan-out made
    before it learned of the deletion (it learns at its next round, through the lane)."""
    GlobalCollection(WebhookLane).delete_one({"_id": endpoint_id, "tenant_id": tenant_id})
    with tenant_scope(tenant_id):  # scoped: equalities in the form nx-27017 serves from the index
        scoped(WebhookDelivery).delete_many({"endpoint_id": endpoint_id})


def _claim(row: dict, token: str, settings: dict) -> bool:
    """pending (or a lapsed sending) -> sending, for this lane only."""
    now = clock.now_ms()
    taken = {"_id": row["_id"], "state": row["state"], "attempts": row.get("attempts", 0)}
    if row["state"] == "sending":  # a lapsed claim: taken once, by whoever sees this expiry first
        taken["claim_until"] = row["claim_until"]
    claimed = scoped(WebhookDelivery).find_one_and_update(
        taken, {"$set": {"state": "sending", "claim_until": now + claim_ms(settings), "claimed_by": token}})
    return claimed is not None


def post(endpoint: dict, body: bytes, headers: dict, settings: dict) -> tuple[int | None, str | None]:
    """POST `body` to the endpoint once: (status code, error or None)."""
    timeout_s = settings["WEBHOOK_TIMEOUT_S"]
    status_code, error = None, None
    try:
        headers = {**headers, "ChatKeep-Signature": signature(secret_box.decrypt(endpoint["secret"]),
                                                              int(time.time()), body)}
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
    return status_code, error


def attempt(delivery: dict, envelope: dict, endpoint: dict, settings: dict, token: str) -> tuple[str, int]:
    """Send one claimed delivery and record it: (outcome, duration ms); outcome is
    delivered, rejected (a 4xx for this payload) or endpoint_failed."""
    body = json_text.compact(envelope)
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               "ChatKeep-Event-Id": delivery["event_id"], "ChatKeep-Event-Type": delivery["event_type"]}
    started = time.perf_counter()
    status_code, error = post(endpoint, body, headers, settings)
    duration_ms = round((time.perf_counter() - started) * 1000)
    if error is None:
        outcome = "delivered"
    elif status_code is not None and 400 <= status_code < 500 and status_code not in (408, 429):
        outcome = "rejected"
    else:
        outcome = "endpoint_failed"
    _record(delivery, endpoint, settings, status_code, error, duration_ms, outcome, token)
    return outcome, duration_ms


def _record(delivery, endpoint, settings, status_code, error, duration_ms, outcome, token) -> None:
    now, number = clock.now_ms(), delivery["attempts"] + 1
    entry = {"_id": f"{delivery['_id']}:{number}", "endpoint_id": endpoint["_id"], "event_id": delivery["event_id"],
             "event_type": delivery["event_type"], "attempt": number, "status_code": status_code, "error": error,
             "duration_ms": duration_ms, "at": now, "delivered_at": None, "next_attempt_at": None}
    if outcome == "delivered":
        entry["delivered_at"] = now
        update, counted = {"state": "delivered", "next_attempt_at": None, "done_at": now}, "delivered"
        scoped(WebhookEndpoint).update_one({"_id": endpoint["_id"], "failing_since": {"$gt": 0}},
                                           {"$set": {"failing_since": 0, "paused_until": 0}})
    else:
        # The last retry falls at the end of the 3 days, however the doubling lands.
        give_up_at = delivery["first_due_at"] + GIVE_UP_AFTER_MS
        retry_at = min(now + settings["WEBHOOK_RETRY_BASE_S"] * 1000 * 2 ** (number - 1), give_up_at)
        if now >= give_up_at:
            update, counted = {"state": "given_up", "next_attempt_at": None, "done_at": now}, "given_up"
            log.warning("webhook delivery of event %s to endpoint %s given up after %s attempts: %s",
                        delivery["event_id"], endpoint["_id"], number, error)
        else:
            entry["next_attempt_at"] = retry_at
            update, counted = {"state": "pending", "next_attempt_at": retry_at}, "failed"
        if outcome == "endpoint_failed":  # a rejected payload says the endpoint is up: no pause
            _note_failure(endpoint, now, error, retry_at)
    try:
        scoped(WebhookAttempt).insert_one(entry)
    except DuplicateKeyError:  # a lane cut off after logging this attempt, before counting it
        pass
    scoped(WebhookDelivery).update_one({"_id": delivery["_id"], "claimed_by": token},
                                       {"$set": {**update, "attempts": number, "claim_until": 0, "claimed_by": None}})
    WEBHOOK_DELIVERIES.labels(counted).inc()


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
