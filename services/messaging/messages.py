"""Messages: stored once per external id, status moving only forward.

A message with an external id has a deterministic id (a hash of tenant and external
id), so the unique `_id` index recognises duplicates atomically. A status that
arrives before its message is parked as a placeholder under that same id
(`awaiting_message: 1`); the message, when it comes, collides with it and fills it
in, keeping the statuses. Recording a new message costs one database command (the
insert and the summary upsert, sent together where the server has bulkWrite, two
commands where it has not); a status update costs one.
"""
import hashlib

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from models.collections import DuplicateKeyAt, in_order, scoped
from models.message import HELD, RANK, VISIBLE, Message
from models.tenancy import current_tenant_id
from services import clock
from services.errors import found
from services.messaging import conversation_repairs, conversations, message_status
from services.privacy import ledger
from services.pagination import NEWEST_FIRST, fetch_page
from services.phones import conversation_id_for

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
    """The stored form of a new message, from `fields` as record_message takes them.
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
        **message_status.initial_fields(initial_status(fields), fields.get("at") or now),
    }
    if held:
        document["chat"] = fields["chat"]
    return document


def record_message(fields: dict, repair: bool = True) -> tuple[dict, bool]:
    """Store a message (normalised phones in `from`/`to`); returns (message, created).

    The same `external_id` again returns the stored message and changes nothing but,
    with `repair`, marks its conversation for repair if the summary never counted it
    (services.messaging.conversation_repairs; callers that rebuild the summaries of
    duplicates themselves, the replays, pass False).
    """
    now = clock.now_ms()
    ledger.refuse_if_erased((fields.get("from"), fields.get("to")), fields.get("at") or now)
    document = new_document(fields, now)
    try:  # the message and its summary's update in one round trip
        in_order(_messages().insert_write(document), conversations.summary_write(document))
        return document, True
    except DuplicateKeyAt as exc:
        if exc.index == 1:  # the message is stored; its summary holds a newer one
            conversations.count_in_existing(document)
            return document, True
    stored = fill_placeholder(document, initial_status(fields), fields.get("at") or now)
    if stored is None:
        existing = _messages().find_one({"_id": document["_id"]})
        if existing is not None and existing.get("awaiting_message") == HELD:  # now we know its ends
            return release_held(existing, own_end(document)) or get_message(existing["_id"]), False
        if existing is not None and repair:
            conversation_repairs.mark_if_uncounted(existing)
        return existing, False
    conversations.record_message(stored)
    return stored, True


def fill_placeholder(document: dict, status: str, at_ms: int, fields=CONTENT_FIELDS) -> dict | None:
    """Turn a parked-status placeholder into `document` (its `fields` and its
    awaiting_message); None if no placeholder is there."""
    update = message_status.status_update(status, at_ms, document["updated_at"])
    update["$set"].update({k: document[k] for k in fields}, awaiting_message=document["awaiting_message"])
    return _messages().find_one_and_update({"_id": document["_id"], "awaiting_message": 1}, update)


def release_held(held: dict, own: str) -> dict | None:
    """Give a held message (services.messaging.held_messages) its ends and conversation, make it
    visible and count it; None if another request released it first."""
    sender, recipient = ends(held["direction"], held["chat"], own)
    # released_at: it was unseen until now, so a read mark before now leaves it unread.
    named = {"from": sender, "to": recipient, "conversation_id": conversation_id_for(sender, recipient),
             "awaiting_message": 0, "released_at": clock.now_ms()}
    if not _messages().update_one({"_id": held["_id"], "awaiting_message": HELD}, {"$set": named}).matched_count:
        return None
    released = {**held, **named}
    conversations.record_message(released)
    return released


def record_status(external_id: str, status: str, at_ms: int, error: str | None = None) -> None:
    """Apply a gateway's status for a message known by its external id, or park it."""
    message_id = message_id_for(external_id)
    now = clock.now_ms()
    update = message_status.status_update(status, at_ms, now, error)
    if _messages().update_one({"_id": message_id}, update).matched_count:
        return
    placeholder = {"_id": message_id, "awaiting_message": 1, "external_id": external_id,
                   "error": error if status == "failed" else None, "updated_at": now,
                   **message_status.initial_fields(status, at_ms)}
    try:
        _messages().insert_one(placeholder)
    except DuplicateKeyError:  # the message (or another parked status) arrived meanwhile
        _messages().find_one_and_update({"_id": message_id}, update)


def get_message(message_id: str) -> dict:
    return found(_messages().find_one({"_id": message_id, **VISIBLE}), f"no message '{message_id}'")


def get_by_external_id(external_id: str) -> dict:
    return found(_messages().find_one({"_id": message_id_for(external_id), **VISIBLE}),
                 f"no message with external_id '{external_id}'")


def update_status(message_id: str, status: str, at_ms: int | None = None, error: str | None = None) -> dict:
    """Record `status` for a stored message; the status itself only moves forward."""
    now = clock.now_ms()
    update = message_status.status_update(status, at_ms or now, now, error)
    return found(_messages().find_one_and_update({"_id": message_id, **VISIBLE}, update), f"no message '{message_id}'")


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
