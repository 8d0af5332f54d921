"""The event log: each stored change makes one event (docs/EVENTS.md).

A change carries a mark, `events_due.<key>` = its time and `events_due_at`, written by
the same write that makes the change; its event follows, under an id derived from
the mark. A process cut off between the two leaves the mark, and the upkeep
(services.events.repair) inserts the missing event; an event already there is found
by its id, so none is ever made twice.

Every write that makes an event runs within `deadline()`: it commits within the
write deadline of taking its time, or not at all. The feed shows only events older
than that deadline plus the allowed clock skew (`settle_ms`), so no event can appear
later behind a position a reader has passed.
"""
import hashlib
import itertools
from contextlib import contextmanager

import pymongo
from pymongo.errors import DuplicateKeyError

from models.collections import scoped
from models.event import Event
from models.message import RANK
from models.tenancy import current_tenant_id
from services.events import doorbell

KIND_LETTER = {"message": "m", "order": "o", "session": "s", "conversation": "c", "contact": "e"}
# Within one millisecond a subject's creation comes first and its deletion last.
ORDINAL = {"created": "0", "deleted": "9"}
_sequence = itertools.count()  # this process's events in the order it made them
STATUS_KEY = "status-"  # a message's status change `status-<status>`
GROUP_SUFFIX = "@g.us"  # a group's messages have the group's chat id as their subject
INTERNAL_FIELDS = ("tenant_id", "events_due", "events_due_at", "event_at", "uncounted", "uncounted_at")


class Timing:
    """Set once per process from the configuration (app.register_database)."""
    write_deadline_ms = 3000
    clock_skew_ms = 1000


timing = Timing()


def configure(write_deadline_ms: int, clock_skew_ms: int) -> None:
    timing.write_deadline_ms, timing.clock_skew_ms = write_deadline_ms, clock_skew_ms


def settle_ms() -> int:
    """How old an event must be before the feed shows it: no write can still commit one older."""
    return timing.write_deadline_ms + timing.clock_skew_ms


@contextmanager
def deadline():
    """The writes of a change that makes an event: done within the write deadline, or
    failed (the driver checks the deadline before sending and the server is given
    what is left as maxTimeMS)."""
    with pymongo.timeout(timing.write_deadline_ms / 1000):
        yield


def mark(key: str, at: int) -> dict:
    """The $set fields that mark the event `key` of a change at `at` as due."""
    return {f"events_due.{key}": at, "events_due_at": at}


def mark_on_insert(key: str, at: int) -> dict:
    """The same, as fields of a document being inserted."""
    return {"events_due": {key: at}, "events_due_at": at}


def event_type(kind: str, key: str) -> str:
    if kind == "message":
        return "message.created" if key == "created" else "message.status_changed"
    if kind == "session":
        return "session.status_changed"
    return f"{kind}.{key}"  # order.created|completed|cancelled, conversation.read|deleted


def _names(kind: str, document: dict) -> tuple[str, str]:
    """(the changed document's id, the event's subject)."""
    if kind == "message":
        return document["_id"], message_subject(document)
    if kind == "order":
        return document["_id"], document["_id"]
    if kind == "session":
        return document["session_id"], document["session_id"]
    if kind == "contact":  # contact.erased: downstream systems erase the phone too
        return document["phone"], document["phone"]
    return document["conversation_id"], document["conversation_id"]


def message_subject(message: dict) -> str:
    """A message's events' subject: its conversation, or its group's chat id."""
    groups = [end for end in (message.get("from"), message.get("to")) if end and end.endswith(GROUP_SUFFIX)]
    return groups[0] if groups else message["conversation_id"]


def event_id(kind: str, document_id: str, key: str, at: int) -> str:
    raw = f"{current_tenant_id()}\0{kind}\0{document_id}\0{key}\0{at}"
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def event_for(kind: str, key: str, at: int, document: dict, placed_at: int | None = None) -> dict:
    """The event of the change `key` made at `at` to `document` (as stored after it).
    It sits in the feed at `placed_at` (default `at`): a repair places it at its own time.
    A message's event records only what changed (services.events.event_data renders it)."""
    if kind == "message":
        rank = RANK[key[len(STATUS_KEY):]] if key.startswith(STATUS_KEY) else document["status_rank"]
        return _message_event(document["_id"], key, at, rank, document.get("updated_at", at),
                              document.get("error"), _names(kind, document)[1], placed_at)
    document_id, subject = _names(kind, document)
    data = ({"conversation_id": subject, "at": at} if kind == "conversation"
            else {k: v for k, v in document.items() if k not in INTERNAL_FIELDS})
    return _event(kind, key, at, document_id, subject, data, placed_at)


def _event(kind: str, key: str, at: int, document_id: str, subject: str, data: dict, placed_at: int | None) -> dict:
    placed = at if placed_at is None else placed_at
    # Within one millisecond: creations first, deletions last, and between them this
    # process's own order (a status change and a read mark of one conversation, written
    # one after the other in the same millisecond, sorted by their kinds before).
    position = f"{placed:013d}.{ORDINAL.get(key, '5')}{next(_sequence):012d}{KIND_LETTER[kind]}.{document_id}.{key}"
    return {"_id": event_id(kind, document_id, key, at), "pos": position,
            "type": event_type(kind, key), "subject": subject, "time": at, "data": data, "published": 0}


def _message_event(message_id: str, key: str, at: int, rank: int, updated_at: int, error: str | None,
                   subject: str, placed_at: int | None = None) -> dict:
    """A message's event: its id (`ref`) and the status it reached; the message itself is
    read when the event is (an empty subject too: a status write does not read the message)."""
    data = {"id": message_id, "status_rank": rank, "updated_at": updated_at}
    if rank == RANK["failed"] and error:
        data["error"] = error
    return {**_event("message", key, at, message_id, subject, data, placed_at), "ref": message_id}


def status_write(message_id: str, status: str, at: int, error: str | None = None):
    """The `message.status_changed` insert of a status written without reading the message,
    to go in `models.collections.in_order` after the write that moves it."""
    event = _message_event(message_id, STATUS_KEY + status, at, RANK[status], at, error, "")
    return scoped(Event).insert_write(event)


def event_write(kind: str, key: str, at: int, document: dict):
    """The event's insert, to go in `models.collections.in_order` with its change."""
    return scoped(Event).insert_write(event_for(kind, key, at, document))


def record(kind: str, key: str, at: int, document: dict, placed_at: int | None = None) -> bool:
    """Insert the event of a change; False if it is there already."""
    try:
        scoped(Event).insert_one(event_for(kind, key, at, document, placed_at))
    except DuplicateKeyError:
        return False
    doorbell.ring(at if placed_at is None else placed_at)
    return True
