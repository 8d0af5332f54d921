"""Gateway sessions: one per (tenant, session_id), upserted by clients and webhooks."""
from pymongo.errors import DuplicateKeyError

from models.collections import scoped
from models.gateway_session import GatewaySession
from services import clock
from services.errors import NotFound, found
from services.events import event_log
from services.messaging import held_messages
from services.pagination import ASC, fetch_page

STATUS_ATTEMPTS = 3


def _sessions():
    return scoped(GatewaySession)


def upsert_session(session_id: str, status: str, phone_number: str | None = None,
                   at=None) -> tuple[dict, bool]:
    """Create or update a session; returns (session, created).

    `status_changed_at` moves only when the status really changes, so the write is
    two conditional updates rather than a read followed by a write. A phone number
    releases the session's held messages (services.messaging.held_messages). A creation
    or a changed status makes a `session.status_changed` event.
    """
    with event_log.deadline():
        now = at or clock.now_ms()
        fields = {"updated_at": now}
        if phone_number is not None:
            fields["phone_number"] = phone_number
        update = {"$set": fields, "$setOnInsert": {"status": status, "created_at": now, "status_changed_at": now,
                                                   **event_log.mark_on_insert("status", now)}}
        try:
            result = _sessions().update_one({"session_id": session_id}, update, upsert=True)
        except DuplicateKeyError:  # a concurrent upsert inserted it first: now it exists
            result = _sessions().update_one({"session_id": session_id}, update, upsert=True)
        created = result.upserted_id is not None
        if created:
            event_log.record("session", "status", now, get_session(session_id))
        else:
            _change_status(session_id, status, now)
    if phone_number is not None:
        held_messages.release(session_id, phone_number)
    return get_session(session_id), created


def _change_status(session_id: str, status: str, now: int) -> None:
    """Set a changed status, with its event. Each change is later than the one before
    (`status_changed_at`), also when another host's clock is ahead or it is the same
    millisecond, so one session's events keep their order and their ids."""
    for _attempt in range(STATUS_ATTEMPTS):
        changed = _sessions().find_one_and_update(
            {"session_id": session_id, "status": {"$ne": status}, "status_changed_at": {"$lt": now}},
            {"$set": {"status": status, "status_changed_at": now, **event_log.mark("status", now)}})
        if changed is not None:
            event_log.record("session", "status", now, changed)
            return
        current = _sessions().find_one({"session_id": session_id}, {"status": 1, "status_changed_at": 1})
        if current is None or current["status"] == status:
            return
        now = current["status_changed_at"] + 1


def get_session(session_id: str) -> dict:
    return found(_sessions().find_one({"session_id": session_id}), f"no session '{session_id}'")


def list_sessions(status: str | None, limit: int, cursor: str | None, include_total: bool) -> dict:
    query = {"status": status} if status else {}
    return fetch_page(_sessions(), query, [("session_id", ASC)], limit, cursor, include_total)


def delete_session(session_id: str) -> None:
    if not _sessions().delete_one({"session_id": session_id}):
        raise NotFound(f"no session '{session_id}'")
