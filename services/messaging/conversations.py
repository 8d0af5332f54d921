"""Conversation summaries: kept current on every message write, rebuilt on demand.

The summary's last message is the one with the greatest (created_at, id). One
conditional upsert records a message: it replaces the last message only when the new
one sorts after it, and always counts it. When the filter does not match an existing
summary the upsert collides with the unique key and a plain update counts it instead.
services.messaging.messages sends that upsert in the same command as the message's insert.
"""
import logging

from pymongo.errors import DuplicateKeyError

from models.collections import scoped
from models.conversation import Conversation
from models.message import VISIBLE, Message
from services import clock
from services.errors import NotFound, found
from services.events import event_log
from services.messaging import search_index
from services.pagination import DESC, fetch_page

log = logging.getLogger(__name__)
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
    """Matches a summary whose last message sorts before `message` (in an update's filter,
    scoped_filter puts the `$or` where nx-27017 keeps the other keys)."""
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
    # A summary whose last message is `message` has counted it already: a rebuild of
    # this conversation (a duplicate's repair job, a replay, the CLI) ran between this
    # writer's insert and this write.
    _conversations().update_one({**key, "last_message_id": {"$ne": message["_id"]}},
                                {"$inc": _counts(message["direction"]), "$set": {"updated_at": clock.now_ms()}})


def list_conversations(session_id: str | None, limit: int, cursor: str | None, include_total: bool,
                       unread_only: bool = False, phone: str | None = None) -> dict:
    """Newest activity first, each with its last message (two queries a page).
    `unread_only`: those with unread inbound messages; `phone`: those it takes part in
    (a normalised number or a chat id)."""
    query = {"session_id": session_id} if session_id else {}
    if unread_only:
        query["unread_count"] = {"$gt": 0}
    if phone:
        # $in matches an array's elements on every backend; nx-27017's {"$eq": x}
        # (scoped_filter's spelling of a bare value) compares the whole array.
        query["participants"] = {"$in": [phone]}
    page = fetch_page(_conversations(), query, LIST_SORT, limit, cursor, include_total)
    last_ids = [summary["last_message_id"] for summary in page["items"]]
    last_messages = {m["_id"]: m for m in scoped(Message).find_by_ids(last_ids)} if last_ids else {}
    for summary in page["items"]:
        summary["last_message"] = last_messages.get(summary["last_message_id"])
    return page


def count_unread() -> int:
    """How many conversations hold unread inbound messages (one count)."""
    return _conversations().count({"unread_count": {"$gt": 0}})


def get_conversation(conversation_id: str) -> dict:
    return found(_conversations().find_one({"conversation_id": conversation_id}),
                 f"no conversation '{conversation_id}'")


def mark_read(conversation_id: str) -> dict:
    """unread_count = 0, and a `conversation.read` event."""
    with event_log.deadline():
        marked_at = clock.now_ms()
        summary = found(_conversations().find_one_and_update(
            {"conversation_id": conversation_id},
            {"$set": {"unread_count": 0, "read_marked_at": marked_at, "updated_at": marked_at,
                      **event_log.mark("read", marked_at)}}),
            f"no conversation '{conversation_id}'")
        event_log.record("conversation", "read", marked_at, summary)
    summary["last_message"] = scoped(Message).find_one({"_id": summary["last_message_id"]})
    # A rebuild counts inbound messages stored after the mark as unread, as the live
    # count does; one stored in the mark's millisecond would be taken as read. (The
    # read above has usually taken that long already.)
    clock.wait_past(marked_at)
    return summary


def delete_conversation(conversation_id: str) -> None:
    """Remove the conversation's messages and its summary (this tenant's only), with a
    `conversation.deleted` event. The summary is marked first and removed last, so a
    deletion cut off in between is finished by the upkeep (services.events.repair)."""
    with event_log.deadline():
        at = clock.now_ms()
        summary = _conversations().find_one_and_update({"conversation_id": conversation_id},
                                                       {"$set": event_log.mark("deleted", at)})
        finish_deletion(conversation_id, at, summary is not None)


def finish_deletion(conversation_id: str, at: int, marked: bool = True, placed_at: int | None = None) -> None:
    """The deletion marked at `at`, from its first step (each step may be done already).
    Only messages stored at or before `at` go: the upkeep finishes a cut-off deletion up
    to an hour later, and what arrived meanwhile was stored as new. The summary goes, or
    is rebuilt from those newer messages."""
    stored_before = {"conversation_id": conversation_id, "created_at": {"$lte": at}}
    removed_messages = search_index.delete_messages(stored_before)
    if not (removed_messages or marked):
        raise NotFound(f"no conversation '{conversation_id}'")
    event_log.record("conversation", "deleted", at, {"conversation_id": conversation_id}, placed_at)
    if scoped(Message).find_one({"conversation_id": conversation_id, **VISIBLE}, projection={"_id": 1}) is None:
        _conversations().delete_one({"conversation_id": conversation_id})
    else:
        rebuild_summaries(conversation_id)


# What any write to a summary changes: a rebuild writes only over what it read.
WRITTEN_BY_OTHERS = ("message_count", "unread_count", "read_marked_at", "last_message_id")
REBUILD_ATTEMPTS = 5


def rebuild_summaries(conversation_id: str | None = None) -> dict:
    """Recompute the current tenant's summaries (or one conversation's) from its
    messages; returns counts.

    Streams the messages once (memory grows with conversations, not messages) and keeps
    each summary's read mark, the one thing messages cannot tell. Live traffic may go
    on meanwhile (spool replay repairs while webhooks arrive): a summary is replaced
    only if no message or read mark changed it since it was read, else that
    conversation is rebuilt again.
    """
    counts, changed = _rebuild_once(conversation_id)
    for _attempt in range(REBUILD_ATTEMPTS - 1):
        if not changed:
            break
        changed = [again for one in changed for again in _rebuild_once(one)[1]]
    if changed:
        log.warning("conversation summaries still changing after %s rebuilds: %s", REBUILD_ATTEMPTS, changed)
    return {**counts, "unsettled": len(changed)}


def _rebuild_once(conversation_id: str | None) -> tuple[dict, list[str]]:
    """One pass; returns its counts and the conversations that changed under it."""
    scope = {"conversation_id": conversation_id} if conversation_id else {}
    seen = {s["conversation_id"]: s for s in _conversations().find(
        scope, projection={"conversation_id": 1, **{f: 1 for f in WRITTEN_BY_OTHERS}})}
    built: dict[str, dict] = {}
    fields = {"conversation_id": 1, "direction": 1, "created_at": 1, "released_at": 1, "session_id": 1,
              "from": 1, "to": 1}
    for message in scoped(Message).find({**VISIBLE, **scope}, projection=fields):
        summary = built.setdefault(message["conversation_id"], {
            "message_count": 0, "inbound_count": 0, "outbound_count": 0, "unread_count": 0,
            "last_key": (-1, ""), "read_marked_at": seen.get(message["conversation_id"], {}).get("read_marked_at", 0),
            "participants": sorted((message["from"], message["to"]))})
        counts = _counts(message["direction"])
        shown_at = max(message["created_at"], message.get("released_at", 0))  # held ones: when released
        counts["unread_count"] = int(message["direction"] == "in" and shown_at > summary["read_marked_at"])
        for name, value in counts.items():
            summary[name] += value
        key = (message["created_at"], message["_id"])
        if key > summary["last_key"]:
            summary.update(last_key=key, session_id=message["session_id"])
    now, changed = clock.now_ms(), []
    for summary_id, summary in built.items():
        at, last_id = summary.pop("last_key")
        replacement = {**summary, "last_message_id": last_id, "last_message_at": at, "updated_at": now}
        if not _replace_if_unchanged(summary_id, seen.get(summary_id), replacement, now):
            changed.append(summary_id)
    stale = sorted(set(seen) - set(built))  # summaries read at the start, no message left
    for summary_id in stale:
        if not _conversations().delete_one({"conversation_id": summary_id, **_unchanged(seen[summary_id])}):
            changed.append(summary_id)
    return {"conversations": len(built), "removed": len(stale)}, changed


def _unchanged(seen: dict) -> dict:
    return {name: seen.get(name) for name in WRITTEN_BY_OTHERS}


def _replace_if_unchanged(conversation_id: str, seen: dict | None, replacement: dict, now: int) -> bool:
    if seen is None:  # none when read: create it, unless a message write just did
        try:
            _conversations().insert_one({"conversation_id": conversation_id, **replacement, "created_at": now})
            return True
        except DuplicateKeyError:
            return False
    return bool(_conversations().update_one({"conversation_id": conversation_id, **_unchanged(seen)},
                                            {"$set": replacement}).matched_count)
