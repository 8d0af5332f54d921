"""Chat sessions: a bot's state per end user, one per (tenant, phone).

A session is active while `last_activity` is newer than the tenant's TTL. Every read
filters on that with the TTL the caller passes (the tenant's current setting), so an
expired session disappears at once and a TTL change applies to every session at
once; `delete_expired` removes the leftovers later (a scheduled job).
"""
import json

from pymongo.errors import DuplicateKeyError

from models.chat_session import ChatSession, encode_state
from models.collections import scoped
from services import clock
from services.errors import NotFound, found
from services.pagination import ASC, fetch_page

LIST_SORT = [("phone", ASC)]


def _sessions():
    return scoped(ChatSession)


def _active(ttl_hours: int, now: int) -> dict:
    return {"last_activity": {"$gt": now - ttl_hours * clock.HOUR_MS}}


def _public(doc: dict, ttl_hours: int) -> dict:
    return {"phone": doc["phone"], "state": json.loads(doc["state_json"]),
            "last_activity": doc["last_activity"], "created_at": doc["created_at"],
            "updated_at": doc["updated_at"], "expires_at": doc["last_activity"] + ttl_hours * clock.HOUR_MS}


def put_session(phone: str, state: dict, last_activity: int | None, ttl_hours: int) -> tuple[dict, bool]:
    """Replace the state of `phone`'s session, creating it if none is active; (session, created).

    `last_activity` is stored exactly as given (now when None). An expired session
    not yet removed is replaced as if new: it gets a fresh created_at.
    """
    now = clock.now_ms()
    fields = {"state_json": encode_state(state), "updated_at": now,
              "last_activity": now if last_activity is None else last_activity}
    for _attempt in range(2):
        updated = _sessions().find_one_and_update({"phone": phone, **_active(ttl_hours, now)}, {"$set": fields})
        if updated is not None:
            return _public(updated, ttl_hours), False
        try:
            _sessions().update_one({"phone": phone}, {"$set": {**fields, "created_at": now}}, upsert=True)
        except DuplicateKeyError:
            continue  # a concurrent PUT created it: update that one instead
        return _public({"phone": phone, **fields, "created_at": now}, ttl_hours), True
    raise RuntimeError("unreachable: the session exists after a duplicate-key error")


def get_session(phone: str, ttl_hours: int) -> dict:
    doc = found(_sessions().find_one({"phone": phone, **_active(ttl_hours, clock.now_ms())}),
                f"no active chat session for '{phone}'")
    return _public(doc, ttl_hours)


def stored_session(phone: str, ttl_hours: int) -> dict | None:
    """The session as stored, expired or not (a contact's export shows what is held)."""
    doc = _sessions().find_one({"phone": phone})
    return _public(doc, ttl_hours) if doc else None


def list_sessions(ttl_hours: int, limit: int, cursor: str | None, include_total: bool) -> dict:
    """The active sessions, by phone (a stable order: paging never repeats or skips one)."""
    page = fetch_page(_sessions(), _active(ttl_hours, clock.now_ms()), LIST_SORT, limit, cursor, include_total)
    page["items"] = [_public(doc, ttl_hours) for doc in page["items"]]
    return page


def delete_session(phone: str, ttl_hours: int) -> None:
    if not _sessions().delete_one({"phone": phone, **_active(ttl_hours, clock.now_ms())}):
        raise NotFound(f"no active chat session for '{phone}'")


def delete_expired(ttl_hours: int) -> int:
    """Remove the current tenant's expired sessions (no read can see them); returns how many."""
    return _sessions().delete_many({"last_activity": {"$lte": clock.now_ms() - ttl_hours * clock.HOUR_MS}})
