"""The events changes were cut off from, made by the hourly upkeep.

A change that makes an event marks its document (services.events.event_log); the
event follows within the request. A mark older than GRACE_MS (far longer than any
request may run) whose event is missing means the process was cut off in between:
the event is made now, placed at the repair's time in the feed (a reader may have
passed the change's own time), under the id the mark derives, so an event that was
made after all is never made twice. A deletion cut off is finished. Marks are then
cleared, unless a newer change marked the document meanwhile.
"""
import logging

from models.collections import scoped
from models.conversation import Conversation
from models.event import Event
from models.gateway_session import GatewaySession
from models.message import VISIBLE, Message
from models.order import Order
from services import clock
from services.events import event_log
from services.messaging import conversations

log = logging.getLogger(__name__)
GRACE_MS = 5 * 60_000
BATCH = 500
# What an event of theirs needs (a message's event records only what changed): not the
# whole document, read back for every change of the last hour. Orders' and sessions'
# events carry the document.
NEEDED = {"message": dict.fromkeys(("events_due", "status_rank", "updated_at", "error", "from", "to",
                                    "conversation_id"), 1),
          "conversation": {"events_due": 1, "conversation_id": 1}}
SOURCES = (("message", Message), ("order", Order), ("session", GatewaySession), ("conversation", Conversation))


def repair_events() -> int:
    """Make the current tenant's missing events; how many were missing."""
    cutoff, made = clock.now_ms() - GRACE_MS, 0
    for kind, document_class in SOURCES:
        documents = scoped(document_class)
        while True:
            # A parked status's marks wait for its message (messages.fill_placeholder clears them).
            batch = list(documents.find({"events_due_at": {"$gt": 0, "$lte": cutoff},
                                         **(VISIBLE if kind == "message" else {})}, limit=BATCH,
                                        projection=NEEDED.get(kind)))
            made += _make_missing(kind, batch)
            if batch:
                documents.update_many({"_id": {"$in": [d["_id"] for d in batch]}, "events_due_at": {"$lte": cutoff}},
                                      {"$set": {"events_due": {}, "events_due_at": 0}})
            if len(batch) < BATCH:
                break
    if made:
        log.warning("made %s events their changes were cut off from", made)
    return made


def _make_missing(kind: str, batch: list) -> int:
    due = [(document, key, at) for document in batch for key, at in (document.get("events_due") or {}).items()
           if isinstance(at, int) and at > 0]
    ids = [event_log.event_for(kind, key, at, document)["_id"] for document, key, at in due]
    present = {event["_id"] for event in scoped(Event).find_by_ids(ids)} if ids else set()
    made = 0
    for (document, key, at), event_id in zip(due, ids):
        deletion = kind == "conversation" and key == "deleted"
        if event_id in present and not deletion:
            continue
        with event_log.deadline():
            placed_at = clock.now_ms()
            if deletion:  # its event may be there and its summary not yet removed: each step again
                conversations.finish_deletion(document["conversation_id"], at, placed_at=placed_at)
            else:
                event_log.record(kind, key, at, document, placed_at)
        made += event_id not in present
    return made


def prune(retention_days: int, keep_unpublished: bool) -> int:
    """Remove events older than the retention (those Kafka has not acknowledged yet
    stay while it is configured); how many. A batch at a time: one long delete would hold
    the embedded database's lock past writers' deadlines (review F13)."""
    query = {"pos": {"$lt": f"{clock.now_ms() - retention_days * clock.DAY_MS:013d}"}}
    if keep_unpublished:
        query["published"] = 1
    removed, cutoff = 0, query["pos"]["$lt"]
    while True:
        batch = list(scoped(Event).find(query, sort=[("pos", 1)], limit=BATCH, projection={"pos": 1}))
        if len(batch) < BATCH:
            return removed + scoped(Event).delete_many(query)
        # Up to the batch's last position, on the (tenant_id, pos) index.
        removed += scoped(Event).delete_many({**query, "pos": {"$lte": batch[-1]["pos"], "$lt": cutoff}})
