"""Fan-out: each new event of a tenant with endpoints becomes a delivery per endpoint.

Push does not wait for the feed's settle window (docs/EVENTS.md): one query over every
tenant with an endpoint reads the events after `fast_after` as soon as they commit. An
event that commits late, behind that position (writers in other processes commit out
of order, within the write deadline), is found by the second read, behind the feed's
horizon, from `settled_after`; deliveries already made are known by their ids (the
`seen` map, or the database's duplicate key after a change of holder), so each event
becomes one delivery per endpoint whatever reads it.

Disabled endpoints get their deliveries too, kept pending: a paused endpoint keeps its
place and, enabled again, gets what it missed oldest first (within the events'
retention: a delivery whose event is gone is dropped when its turn comes).
"""
import hashlib
import logging

from pymongo.errors import BulkWriteError, DuplicateKeyError

from models.collections import GlobalCollection
from models.event import Event
from models.message import Message
from models.webhook_endpoint import WebhookCursor, WebhookDelivery, WebhookLane
from services import clock
from services.events import event_data, feed
from services.operations.metrics import WEBHOOK_FAILURES

log = logging.getLogger(__name__)
CURSOR_ID = "fan-out"
BATCH = 500
DUPLICATE_KEY = 11000
EVENT_FIELDS = {"_id": 1, "tenant_id": 1, "pos": 1, "type": 1, "time": 1, "subject": 1, "ref": 1}
SUBJECT_FIELDS = {"tenant_id": 1, "conversation_id": 1, "from": 1, "to": 1}  # what event_log.message_subject reads


def ensure_cursor() -> dict:
    """The cursor, made at now's horizon when there is none: a new deployment, or one
    restored from a snapshot, pushes no event older than that."""
    cursors = GlobalCollection(WebhookCursor)
    start = feed.horizon()
    try:
        cursors.update_one({"_id": CURSOR_ID}, {"$setOnInsert": {"fast_after": start, "settled_after": start}},
                           upsert=True)
    except DuplicateKeyError:  # two first upserts at once: the other made it
        pass
    return cursors.find_one({"_id": CURSOR_ID})


class FanOut:
    """The fan-out of the holding process; `endpoints` maps tenant id -> its endpoints
    (dicts with _id, types, created_at, enabled, paused_until), kept by the engine."""

    def __init__(self):
        self.seen: dict[str, str] = {}  # event id -> pos, for events at or after settled_after
        self.cursor = None  # read once per holding: only the holder moves it

    def run(self, endpoints: dict) -> int:
        """Deliveries made this round (fast read, then the settled sweep)."""
        if not endpoints:
            return 0
        if self.cursor is None:
            self.cursor = ensure_cursor()
        cursor = self.cursor
        tenant_ids = sorted(endpoints)
        events = list(GlobalCollection(Event).find(
            {"tenant_id": {"$in": tenant_ids}, "pos": {"$gt": cursor["fast_after"]}}, sort=[("pos", 1)],
            limit=BATCH, projection=EVENT_FIELDS))
        fresh = [e for e in events if e["_id"] not in self.seen]
        made = self.make(fresh, endpoints)
        update = {}
        if events:
            update["fast_after"] = events[-1]["pos"]
        if cursor["settled_after"] < update.get("fast_after", cursor["fast_after"]):
            horizon = feed.horizon()
            late = list(GlobalCollection(Event).find(
                {"tenant_id": {"$in": tenant_ids}, "pos": {"$gt": cursor["settled_after"], "$lt": horizon}},
                sort=[("pos", 1)], limit=BATCH, projection=EVENT_FIELDS))
            made += self.make([e for e in late if e["_id"] not in self.seen], endpoints)
            update["settled_after"] = late[-1]["pos"] if len(late) == BATCH else horizon
            self.seen = {i: p for i, p in self.seen.items() if p >= update["settled_after"]}
        if update:
            GlobalCollection(WebhookCursor).update_one({"_id": CURSOR_ID}, {"$set": update})
            self.cursor = {**cursor, **update}
        return made

    def make(self, events: list, endpoints: dict) -> int:
        """Deliveries for `events` (any tenants), in one insert; the lanes of the enabled
        endpoints that got some are marked due."""
        now, documents, enabled = clock.now_ms(), [], set()
        subjects = _subjects(events)
        for event in events:
            try:
                for endpoint in endpoints.get(event["tenant_id"], ()):
                    if wants(endpoint, event):
                        documents.append(delivery_for(endpoint, event, now, subjects[event["_id"]]))
                        if endpoint.get("enabled", True):
                            enabled.add(endpoint["_id"])
            except (KeyError, TypeError):  # one malformed event must not stop every tenant's fan-out
                WEBHOOK_FAILURES.inc()
                log.exception("event %s of tenant %s cannot be fanned out; skipped", event.get("_id"),
                              event.get("tenant_id"))
            self.seen[event["_id"]] = event["pos"]
        inserted = insert_deliveries(documents)
        made = len(inserted)
        due = {d["endpoint_id"] for d in inserted} & enabled  # made before (another read, holder): nothing new
        if due:
            GlobalCollection(WebhookLane).update_many({"_id": {"$in": sorted(due)}},
                                                      {"$set": {"due_at": now}, "$inc": {"due_seq": 1}})
        return made


def wants(endpoint: dict, event: dict) -> bool:
    return event["time"] >= endpoint["created_at"] and (not endpoint.get("types") or event["type"] in endpoint["types"])


def _subjects(events: list) -> dict[str, str]:
    """Each event's subject, by event id; a status event stored without one takes its
    message's (one read per batch), so a message's statuses keep its conversation's
    order, behind its creation, and one conversation's held status holds no other's."""
    unnamed = [event for event in events if not event.get("subject") and event.get("ref") and event.get("tenant_id")]
    messages = {}
    if unnamed:  # by _id alone, the tenant checked by the key (models.collections.find_by_ids says why)
        found = GlobalCollection(Message).find({"_id": {"$in": sorted({event["ref"] for event in unnamed})}},
                                               projection=SUBJECT_FIELDS)
        messages = {(message["tenant_id"], message["_id"]): message for message in found}
    return {event.get("_id"): event_data.subject_of(event, messages.get((event.get("tenant_id"), event.get("ref"))))
            for event in events}  # .get: a malformed event is skipped by make, not here


def delivery_for(endpoint: dict, event: dict, now: int, subject: str) -> dict:
    return {"_id": f"{endpoint['_id']}:{event['_id']}", "tenant_id": event["tenant_id"],
            "endpoint_id": endpoint["_id"], "event_id": event["_id"], "event_type": event["type"],
            "subject": subject_key(subject), "pos": event["pos"], "state": "pending",
            "attempts": 0, "first_due_at": now, "next_attempt_at": now, "claim_until": 0, "claimed_by": None,
            "done_at": None}


def subject_key(subject: str) -> str:
    """What a lane needs of the subject (which deliveries share it), without the phone it
    may hold: a delivery outlives its event's erasure until pruned."""
    return hashlib.sha256(subject.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def insert_deliveries(documents: list) -> list:
    """The ones inserted, of `documents`: one made before (a crash, another holder) is a
    duplicate key."""
    if not documents:
        return []
    try:
        GlobalCollection(WebhookDelivery).insert_many(documents)
        return documents
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(error.get("code") != DUPLICATE_KEY for error in errors):
            raise
        failed = {error["index"] for error in errors}
        return [document for index, document in enumerate(documents) if index not in failed]


def catch_up(tenant_id: str, since_ms: int, endpoints: dict) -> int:
    """For endpoints created since the engine last looked (their lane says not joined):
    their tenant's events from `since_ms` up to the cursor, which may have passed them
    before the engine knew the endpoint (made on another host)."""
    cursor = ensure_cursor()
    events = list(GlobalCollection(Event).find(
        {"tenant_id": tenant_id, "pos": {"$gte": f"{since_ms:013d}", "$lte": cursor["fast_after"]}},
        sort=[("pos", 1)], projection=EVENT_FIELDS))
    return FanOut().make(events, {tenant_id: endpoints.get(tenant_id, [])})
