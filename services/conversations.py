"""Conversation summaries: kept current on every message write, rebuilt on demand.

The summary's last message is the one with the greatest (created_at, id). One
conditional upsert records a message: it replaces the last message only when the new
one sorts after it, and always counts it. When the filter does not match an existing
summary the upsert collides with the unique key and a plain update counts it instead.
services.messages sends that upsert in the same command as the message's insert.
"""
from pymongo.errors import DuplicateKeyError

from models.collections import scoped
from models.conversation import Conversation
from models.message import VISIBLE, Message
from services import clock
from services.errors import NotFound, found
from services.pagination import DESC, fetch_page

LIST_SORT = [("last_message_at", DESC), ("conversation_id", DESC)]


def _conversations():
    return scoped(Conversation)


def _counts(direction: str) -> dict:
    inbound = direction == "in"
    return {"message_count": 1, "inbound_count": int(inbound), "outbound_count": int(not inbound),
            "unread_count": int(inbound)}


def summary_write(message: dict):
    """The write that counts a new `message` in its summary and makes it the last
    message if it sorts after the current one (creating the summary if there is none).
    It collides with the summary's unique key when the summary exists and holds a
    newer message: then `count_in_existing` must count it instead."""
    return _conversations().update_write({"conversation_id": message["conversation_id"], **_newer(message)},
                                         _as_last(message), upsert=True)


def _newer(message: dict) -> dict:
    """Matches a summary whose last message sorts before `message`."""
    return {"$or": [{"last_message_at": {"$lt": message["created_at"]}},
                    {"last_message_at": message["created_at"], "last_message_id": {"$lt": message["_id"]}}]}


def _as_last(message: dict) -> dict:
    now = clock.now_ms()
    return {
        "$set": {"last_message_id": message["_id"], "last_message_at": message["created_at"],
                 "session_id": message["session_id"], "updated_at": now},
        "$inc": _counts(message["direction"]),
        "$setOnInsert": {"participants": sorted((message["from"], message["to"])), "created_at": now,
                         "read_marked_at": 0},
    }


def record_message(message: dict) -> None:
    """Count `message` in its conversation's summary and make it the last one if newest."""
    try:
        summary_write(message).apply()
    except DuplicateKeyError:
        count_in_existing(message)


def count_in_existing(message: dict) -> None:
    """What `summary_write` could not do by upserting: the summary exists (or a racing
    insert created it), so update it, as the last message only if `message` is newer."""
    key = {"conversation_id": message["conversation_id"]}
    as_last = {k: v for k, v in _as_last(message).items() if k != "$setOnInsert"}
    if _conversations().update_one({**key, **_newer(message)}, as_last).matched_count:
        return
    _conversations().update_one(key, {"$inc": _counts(message["direction"]), "$set": {"updated_at": clock.now_ms()}})


def list_conversations(session_id: str | None, limit: int, cursor: str | None, include_total: bool) -> dict:
    query = {"session_id": session_id} if session_id else {}
    page = fetch_page(_conversations(), query, LIST_SORT, limit, cursor, include_total)
    last_ids = [summary["last_message_id"] for summary in page["items"]]
    last_messages = {m["_id"]: m for m in scoped(Message).find_by_ids(last_ids)} if last_ids else {}
    for summary in page["items"]:
        summary["last_message"] = last_messages.get(summary["last_message_id"])
    return page


def get_conversation(conversation_id: str) -> dict:
    return found(_conversations().find_one({"conversation_id": conversation_id}),
                 f"no conversation '{conversation_id}'")


def mark_read(conversation_id: str) -> dict:
    summary = found(_conversations().find_one_and_update(
        {"conversation_id": conversation_id},
        {"$set": {"unread_count": 0, "read_marked_at": clock.now_ms(), "updated_at": clock.now_ms()}}),
        f"no conversation '{conversation_id}'")
    summary["last_message"] = scoped(Message).find_one({"_id": summary["last_message_id"]})
    return summary


def delete_conversation(conversation_id: str) -> None:
    """Remove the conversation's messages and its summary (this tenant's only)."""
    removed_messages = scoped(Message).delete_many({"conversation_id": conversation_id})
    removed_summary = _conversations().delete_one({"conversation_id": conversation_id})
    if not (removed_messages or removed_summary):
        raise NotFound(f"no conversation '{conversation_id}'")


def rebuild_summaries(conversation_id: str | None = None) -> dict:
    """Recompute the current tenant's summaries (or one conversation's) from its
    messages; returns counts.

    Streams the messages once (memory grows with conversations, not messages) and keeps
    each summary's read mark, the one thing messages cannot tell.
    """
    scope = {"conversation_id": conversation_id} if conversation_id else {}
    read_marks = {s["conversation_id"]: s.get("read_marked_at", 0)
                  for s in _conversations().find(scope, projection={"conversation_id": 1, "read_marked_at": 1})}
    built: dict[str, dict] = {}
    fields = {"conversation_id": 1, "direction": 1, "created_at": 1, "session_id": 1, "from": 1, "to": 1}
    for message in scoped(Message).find({**VISIBLE, **scope}, projection=fields):
        summary = built.setdefault(message["conversation_id"], {
            "message_count": 0, "inbound_count": 0, "outbound_count": 0, "unread_count": 0,
            "last_key": (-1, ""), "read_marked_at": read_marks.get(message["conversation_id"], 0),
            "participants": sorted((message["from"], message["to"]))})
        counts = _counts(message["direction"])
        counts["unread_count"] = int(message["direction"] == "in"
                                     and message["created_at"] > summary["read_marked_at"])
        for name, value in counts.items():
            summary[name] += value
        key = (message["created_at"], message["_id"])
        if key > summary["last_key"]:
            summary.update(last_key=key, session_id=message["session_id"])
    now = clock.now_ms()
    for conversation_id, summary in built.items():
        at, last_id = summary.pop("last_key")
        _conversations().update_one(
            {"conversation_id": conversation_id},
            {"$set": {**summary, "last_message_id": last_id, "last_message_at": at, "updated_at": now},
             "$setOnInsert": {"created_at": now}},
            upsert=True)
    stale = sorted(set(read_marks) - set(built))  # summaries read at the start, no message left
    if stale:
        _conversations().delete_many({"conversation_id": {"$in": stale}})
    return {"conversations": len(built), "removed": len(stale)}
