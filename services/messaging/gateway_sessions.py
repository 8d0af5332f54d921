"""Gateway sessions: one per (tenant, session_id), upserted by clients and webhooks."""
from pymongo.errors import DuplicateKeyError

from models.collections import scoped
from models.gateway_session import GatewaySession
from services import clock
from services.errors import NotFound, found
from services.messaging import held_messages
from services.pagination import ASC, fetch_page


def _sessions():
    return scoped(GatewaySession)


def upsert_session(session_id: str, status: str, phone_number: str | None = None,
                   at=None) -> tuple[dict, bool]:
    """Create or update a session; returns (session, created).

    `status_changed_at` moves only when the status really changes, so the write is
    two conditional updates rather than a read followed by a write. A phone number
    releases the session's held messages (services.messaging.held_messages).
    """
    now = at or clock.now_ms()
    fields = {"updated_at": now}
    if phone_number is not None:
        fields["phone_number"] = phone_number
    update = {"$set": fields,
              "$setOnInsert": {"status": status, "created_at": now, "status_changed_at": now}}
    try:
        result = _sessions().update_one({"session_id": session_id}, update, upsert=True)
    except DuplicateKeyError:  # a concurrent upsert inserted it first: now it exists
        result = _sessions().update_one({"session_id": session_id}, update, upsert=True)
    created = result.upserted_id is not None
    if not created:
        _sessions().update_one({"session_id": session_id, "status": {"$ne": status}},
                               {"$set": {"status": status, "status_changed_at": now}})
    if phone_number is not None:
        held_messages.release(session_id, phone_number)
    return get_session(session_id), created


def get_session(session_id: str) -> dict:
    return found(_sessions().find_one({"session_id": session_id}), f"no session '{session_id}'")


def list_sessions(status: str | None, limit: int, cursor: str | None, include_total: bool) -> dict:
    query = {"status": status} if status else {}
    return fetch_page(_sessions(), query, [("session_id", ASC)], limit, cursor, include_total)


def delete_session(session_id: str) -> None:
    if not _sessions().delete_one({"session_id": session_id}):
        raise NotFound(f"no session '{session_id}'")
