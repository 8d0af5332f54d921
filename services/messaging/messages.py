"""Messages: stored once per external id, status moving only forward.

A message with an external id has a deterministic id (a hash of tenant and external
id), so the unique `_id` index recognises duplicates atomically. A status that
arrives before its message is parked as a placeholder under that same id
(`awaiting_message: 1`); the message, when it comes, collides with it and fills it
in, keeping the statuses. Recording a new message costs one database command (the
insert, the summary upsert and its event, sent together where the server has bulkWrite:
`creation_writes`); so does a gateway's status that moves a message (`record_status`:
the moving write, a guard and its event). A status that does not move it costs two or
three (the attempt, and the write that only records it).

Each change a client can see makes its event (services.events.event_log): a new
message's `message.created` rides in the same ordered write as the message; a status
that moves `status` makes a `message.status_changed`. Held messages and parked
statuses are invisible and make theirs when they become visible.
"""
import hashlib

from bson import ObjectId

from models.collections import DuplicateKeyAt, in_order, scoped
from models.message import HELD, RANK, VISIBLE, Message
from models.tenancy import current_tenant_id
from services import clock
from services.errors import found
from services.events import doorbell, event_log
from services.events.event_log import STATUS_KEY
from services.messaging import conversation_repairs, conversations, message_status, search_index
from services.privacy import ledger
from services.pagination import NEWEST_FIRST, fetch_page
from services.phones import conversation_id_for

STATUS_ATTEMPTS = 3
CONTENT_FIELDS = ("session_id", "conversation_id", "from", "to", "direction", "type", "text", "media",
                  "external_id", "created_at")


def _messages():
    return scoped(Message)


def message_id_for(external_id: str) -> str:
    digest = hashlib.sha256(f"{current_tenant_id()}\0{external_id}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:24]


def ends(direction: str, chat: str, own: str) -> tuple[str, str]:
    """(from, to) of a message between `chat` (the other party) and `own` (the session's number)."""
    return (chat, own) if direction == "in" else (own, chat)


def own_end(message: dict) -> str:
    """The session's own number on a message with its ends."""
    return message["to"] if message["direction"] == "in" else message["from"]


def initial_status(fields: dict) -> str:
    return fields.get("status") or ("delivered" if fields["direction"] == "in" else "pending")


def new_document(fields: dict, now: int) -> dict:
    """The stored form of a new message, from `fields` as record_message takes them (the
    one place a new message's document is built, held or not).
    Without ends (`from` None) it is held (services.messaging.held_messages), the other party in
    `fields["chat"]`."""
    external_id = fields.get("external_id")
    held = fields["from"] is None
    document = {
        "_id": message_id_for(external_id) if external_id else str(ObjectId()),
        "session_id": fields["session_id"], "external_id": external_id,
        "conversation_id": None if held else conversation_id_for(fields["from"], fields["to"]),
        "from": fields["from"], "to": fields["to"], "direction": fields["direction"],
        "type": fields.get("type") or "text", "text": fields.get("text"), "media": fields.get("media"),
        "error": None, "created_at": now, "updated_at": now, "awaiting_message": HELD if held else 0,
        "event_at": now, **message_status.initial_fields(initial_status(fields), fields.get("at") or now),
    }
    if held:
        document["chat"] = fields["chat"]
    else:
        document.update(event_log.mark_on_insert("created", now))
    return document


def creation_writes(document: dict, now: int, bell: list) -> list:
    """The one ordered write (one command where the server has bulkWrite) that stores a
    new visible message: the message, its summary's update, its `message.created`, its
    search words, and `bell` (services.events.doorbell.bell_writes), in that order."""
    return [_messages().insert_write(document), conversations.summary_write(document),
            event_log.event_write("message", "created", now, document), *search_index.writes(document), *bell]


def record_message(fields: dict, repair: bool = True) -> tuple[dict, bool]:
    """Store a message (normalised phones in `from`/`to`); returns (message, created).

    The same `external_id` again returns the stored message and changes nothing but,
    with `repair`, marks its conversation for repair if the summary never counted it
    (services.messaging.conversation_repairs; callers that rebuild the summaries of
    duplicates themselves, the replays, pass False).
    """
    with event_log.deadline():
        return _record_message(fields, repair)


def _record_message(fields: dict, repair: bool) -> tuple[dict, bool]:
    now = clock.now_ms()
    ledger.refuse_if_erased((fields.get("from"), fields.get("to")), fields.get("at") or now)
    document = new_document(fields, now)
    bell = doorbell.bell_writes(now)
    try:
        in_order(*creation_writes(document, now, bell))
        doorbell.written(now, bell)
        return document, True
    except DuplicateKeyAt as exc:
        if exc.index >= 1:  # the message is stored: its search terms did not go with it
            search_index.post(document)
        if exc.index == 1:  # its summary holds a newer one
            conversations.count_in_existing(document)
            event_log.record("message", "created", now, document)
            return document, True
        if exc.index >= 2:  # its event (the same id again within a millisecond) or a term is there already
            return document, True
    stored = fill_placeholder(document, initial_status(fields), fields.get("at") or now)
    if stored is None:
        existing = _messages().find_one({"_id": document["_id"]})
        if existing is not None and existing.get("awaiting_message") == HELD:  # now we know its ends
            return release_held(existing, own_end(document)) or get_message(existing["_id"]), False
        if existing is not None and repair:
            conversation_repairs.mark_if_uncounted(existing)
        if existing is not None:  # a retry: the first attempt may have been cut off before its terms
            search_index.post(existing)
        return existing, False
    search_index.post(stored)
    conversations.record_message(stored)
    event_log.record("message", "created", stored["created_at"], stored)
    return stored, True


def fill_placeholder(document: dict, status: str, at_ms: int, fields=CONTENT_FIELDS) -> dict | None:
    """Turn a parked-status placeholder into `document` (its `fields` and its
    awaiting_message); None if no placeholder is there. A message made visible so is
    marked for its `message.created` event, which the caller records."""
    update = message_status.status_update(status, at_ms, document["updated_at"])
    # The parked statuses' marks go: their events are this message.created (or, held, its release's).
    visible = document["awaiting_message"] == 0
    update["$set"].update({k: document[k] for k in fields}, awaiting_message=document["awaiting_message"],
                          event_at=document["created_at"],
                          **(event_log.mark_on_insert("created", document["created_at"]) if visible
                             else {"events_due": {}, "events_due_at": 0}))
    return _messages().find_one_and_update({"_id": document["_id"], "awaiting_message": 1}, update)


def release_held(held: dict, own: str) -> dict | None:
    """Give a held message (services.messaging.held_messages) its ends and conversation, make it
    visible and count it; None if another request released it first."""
    sender, recipient = ends(held["direction"], held["chat"], own)
    with event_log.deadline():
        # released_at: it was unseen until now, so a read mark before now leaves it unread.
        now = clock.now_ms()
        # updated_at: it changed (analytics recompute its day on the next read).
        named = {"from": sender, "to": recipient, "conversation_id": conversation_id_for(sender, recipient),
                 "awaiting_message": 0, "released_at": now, "event_at": now, "updated_at": now}
        if not _messages().update_one({"_id": held["_id"], "awaiting_message": HELD},
                                      {"$set": {**named, **event_log.mark("created", now)}}).matched_count:
            return None
        released = {**held, **named}
        conversations.record_message(released)
        event_log.record("message", "created", now, released)
        return released


def record_status(external_id: str, status: str, at_ms: int, error: str | None = None) -> None:
    """Apply a gateway's status for a message known by its external id, or park it.

    The usual case is one command: the write that moves a visible message's status (or,
    with no message stored, parks the status as a placeholder), a guard, and the status
    event, in that order (models.collections.in_order). A write that matches nothing
    upserts, and the upsert collides with the stored document's `_id`, which stops the
    writes after it: a status that does not move the message (or one of a held message,
    or of a message whose latest event another writer's clock placed later) makes no
    event and takes apply_status's way; a parked status stops at the guard, which only
    a message moved by this very write (visible, `event_at` = this write's time) passes.
    """
    message_id = message_id_for(external_id)
    rank, key = RANK[status], STATUS_KEY + status
    with event_log.deadline():
        now = clock.now_ms()
        moving = message_status.status_update(status, at_ms or now, now, error)
        moving["$set"].update(event_at=now, **event_log.mark(key, now))
        moving["$setOnInsert"] = {"awaiting_message": 1, "external_id": external_id}  # no message: parked
        bell = doorbell.bell_writes(now)
        try:
            in_order(_messages().update_write({"_id": message_id, "awaiting_message": {"$lt": 1},
                                               "status_rank": {"$lt": rank}, "event_at": {"$lt": now}},
                                              moving, upsert=True),
                     _messages().update_write({"_id": message_id, **VISIBLE, "event_at": now},
                                              {"$set": {"event_at": now}}, upsert=True),
                     event_log.status_write(message_id, status, now, error), *bell)
            doorbell.written(now, bell)
            return
        except DuplicateKeyAt as exc:
            if exc.index == 2:  # its event is there already
                return
    # Not moved (0), or parked (1): nx-27017's upsert stores `$min`'s dotted status time
    # under a literal "status_times.<status>" key, so the parked status is written again.
    apply_status(message_id, status, at_ms, error, visible_only=False)


def apply_status(message_id: str, status: str, at_ms: int | None, error: str | None = None,
                 visible_only: bool = True) -> dict | None:
    """Record `status` for a stored message (with `visible_only` False, also a parked
    status or a held message); the message after it, None if there is none.

    A status that moves a visible message's `status` makes a `message.status_changed`
    event: the moving write is conditional on the rank and on the message's latest
    event being older (`event_at`), so one message's events follow each other in the
    feed in the order they happened, also across hosts whose clocks differ a little.
    """
    rank, key, floor = RANK[status], STATUS_KEY + status, 0
    scope = {"_id": message_id} if not visible_only else {"_id": message_id, **VISIBLE}
    for _attempt in range(STATUS_ATTEMPTS):
        with event_log.deadline():
            now = max(clock.now_ms(), floor)
            update = message_status.status_update(status, at_ms or now, now, error)
            moving = {**update, "$set": {**update["$set"], "event_at": now, **event_log.mark(key, now)}}
            moved = _messages().find_one_and_update(
                {"_id": message_id, **VISIBLE, "status_rank": {"$lt": rank}, "event_at": {"$lt": now}}, moving)
            if moved is not None:
                event_log.record("message", key, now, moved)
                return moved
        # No event: the status does not move it, or it is not visible (parked, held). Two
        # writes rather than one with $or: nx-27017 matched other documents with that.
        unmoved = _messages().find_one_and_update({**scope, "status_rank": {"$gte": rank}}, update)
        if unmoved is None and not visible_only:
            unmoved = _messages().find_one_and_update({"_id": message_id, "awaiting_message": {"$gt": 0}}, update)
        if unmoved is not None:
            return unmoved
        current = _messages().find_one(scope)
        if current is None:
            return None
        if current.get("event_at") is None:  # stored before events: its latest event is its creation
            _messages().update_one({"_id": message_id}, {"$set": {"event_at": 0}})
        else:  # another writer's clock is ahead: this status goes right after its event
            floor = current["event_at"] + 1
    return _messages().find_one(scope)


def get_message(message_id: str) -> dict:
    return found(_messages().find_one({"_id": message_id, **VISIBLE}), f"no message '{message_id}'")


def get_by_external_id(external_id: str) -> dict:
    return found(_messages().find_one({"_id": message_id_for(external_id), **VISIBLE}),
                 f"no message with external_id '{external_id}'")


def update_status(message_id: str, status: str, at_ms: int | None = None, error: str | None = None) -> dict:
    """Record `status` for a stored message; the status itself only moves forward."""
    return found(apply_status(message_id, status, at_ms, error), f"no message '{message_id}'")


def list_messages(filters: dict, limit: int, cursor: str | None, include_total: bool) -> dict:
    """Newest first; filters: direction, status, session_id, conversation_id, since, until."""
    query = {k: filters[k] for k in ("direction", "session_id", "conversation_id") if filters.get(k)}
    if filters.get("status"):
        query["status_rank"] = RANK[filters["status"]]
    created = {}
    if filters.get("since") is not None:
        created["$gte"] = filters["since"]
    if filters.get("until") is not None:
        created["$lt"] = filters["until"]
    if created:
        query["created_at"] = created
    return fetch_page(_messages(), {**query, **VISIBLE}, NEWEST_FIRST, limit, cursor, include_total)


def count_since(since_ms: int) -> int:
    """How many messages were stored at or after `since_ms` (one count)."""
    return _messages().count({**VISIBLE, "created_at": {"$gte": since_ms}})


def drop_stale_parked(older_than_ms: int) -> int:
    """Remove parked statuses whose message never came (e.g. sent outside ChatKeep)."""
    return _messages().delete_many({"awaiting_message": 1, "updated_at": {"$lt": older_than_ms}})
