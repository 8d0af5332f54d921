"""Messages: recorded once per external id, status moving only forward.

Recording costs two database commands (the insert and the summary upsert); a status
update costs one. Neither reads before it writes: the unique index on
(tenant_id, external_id) makes duplicates the database's job.
"""
from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from models.collections import scoped
from models.message import Message
from services import clock, conversations, message_status
from services.errors import NotFound
from services.pagination import DESC, fetch_page
from services.phones import conversation_id_for

PAGE_SORT = [("created_at", DESC), ("_id", DESC)]


def _messages():
    return scoped(Message)


def record_message(fields: dict) -> tuple[dict, bool]:
    """Store a message (normalised phones in `from`/`to`); returns (message, created).

    The same `external_id` again returns the stored message and changes nothing.
    """
    now = clock.now_ms()
    status = fields.get("status") or ("delivered" if fields["direction"] == "in" else "pending")
    document = {
        "_id": str(ObjectId()),
        "session_id": fields["session_id"],
        "conversation_id": conversation_id_for(fields["from"], fields["to"]),
        "from": fields["from"], "to": fields["to"], "direction": fields["direction"],
        "type": fields.get("type") or "text", "text": fields.get("text"), "media": fields.get("media"),
        "error": None, "created_at": now, "updated_at": now,
        **message_status.initial_fields(status, fields.get("at") or now),
    }
    document["external_id"] = fields.get("external_id")
    document["unique_key"] = unique_key(fields.get("external_id"), document["_id"])
    try:
        _messages().insert_one(document)
    except DuplicateKeyError:
        return get_by_external_id(fields["external_id"]), False
    conversations.record_message(document)
    return document, True


def unique_key(external_id: str | None, message_id: str) -> str:
    return f"x:{external_id}" if external_id else f"id:{message_id}"


def get_message(message_id: str) -> dict:
    message = _messages().find_one({"_id": message_id})
    if message is None:
        raise NotFound(f"no message '{message_id}'")
    return message


def get_by_external_id(external_id: str) -> dict:
    message = _messages().find_one({"unique_key": unique_key(external_id, "")})
    if message is None:
        raise NotFound(f"no message with external_id '{external_id}'")
    return message


def update_status(message_id: str, status: str, at_ms: int | None = None, error: str | None = None) -> dict:
    """Record `status` for a message; the status itself only moves forward."""
    now = clock.now_ms()
    update = message_status.status_update(status, at_ms or now, now, error)
    message = _messages().find_one_and_update({"_id": message_id}, update)
    if message is None:
        raise NotFound(f"no message '{message_id}'")
    return message


def list_messages(filters: dict, limit: int, cursor: str | None, include_total: bool) -> dict:
    """Newest first; filters: direction, status, session_id, conversation_id, since, until."""
    query = {k: filters[k] for k in ("direction", "session_id", "conversation_id") if filters.get(k)}
    if filters.get("status"):
        query["status_rank"] = message_status.RANK[filters["status"]]
    created = {}
    if filters.get("since") is not None:
        created["$gte"] = filters["since"]
    if filters.get("until") is not None:
        created["$lt"] = filters["until"]
    if created:
        query["created_at"] = created
    return fetch_page(_messages(), query, PAGE_SORT, limit, cursor, include_total)
