"""The search index: one MessageTerm per (message, term) (models.message_term says why).

`post` adds a stored message's terms (idempotent: an entry's _id is `<message>:<term>`);
`forget` removes the terms of the messages a deletion is about to remove, so deleted
and erased messages leave no words behind. Messages stored before search existed
(or whose posting was cut off by a crash between the two writes) get theirs from
`backfill`: the hourly upkeep runs it within a time budget per tenant until the
tenant is done, `flask --app app messages index-terms` runs it to the end, and a
restore rebuilds the index after loading a snapshot (snapshots hold no terms).
"""
import time

from models.collections import scoped
from models.message import Message
from models.message_term import MessageTerm
from models.tenancy import current_tenant_id
from services.search_terms import message_terms
from services.pagination import oldest_first

BATCH = 500
DONE = "\uffff"  # the backfill's position once every message is posted: after any id
MARKER_TERM = ""  # the backfill's progress entry: no real term is empty


def _terms():
    return scoped(MessageTerm)


def entries(message: dict) -> list[dict]:
    """The index entries of a stored message (none for a document without a time: no message yet)."""
    if message.get("created_at") is None:
        return []
    return [{"_id": f"{message['_id']}:{term}", "term": term, "message_id": message["_id"],
             "created_at": message["created_at"]} for term in message_terms(message)]


def writes(message: dict) -> list:
    """The writes that post a new message's terms, for its ordered write (models.collections.in_order):
    none for a message without words."""
    found = entries(message)
    return [_terms().insert_new_write(found)] if found else []


def post(message: dict) -> int:
    """Index a stored message's terms; how many entries were new."""
    return _insert(entries(message))


def post_many(messages) -> int:
    documents = [entry for message in messages for entry in entries(message)]
    return sum(_insert(documents[i:i + BATCH * 10]) for i in range(0, len(documents), BATCH * 10))


def _insert(documents: list[dict]) -> int:
    return _terms().insert_new(documents) if documents else 0


def forget(message_query: dict) -> int:
    """Remove the index entries of the messages `message_query` matches (call it before
    deleting them); how many went. Entry ids come from each message's text, so one
    delete by _id serves a batch on every tier."""
    fields = {"text": 1, "media": 1}
    return _forget_entries_of(scoped(Message).find(message_query, projection=fields))


def forget_ids(message_ids: list) -> int:
    """forget() for the messages with these ids (asked for by _id: see find_by_ids)."""
    return _forget_entries_of(scoped(Message).find_by_ids(message_ids)) if message_ids else 0


def delete_messages(message_query: dict) -> int:
    """Delete the current tenant's messages `message_query` matches, their index entries
    first (a deletion cut off in between leaves entries found again through their
    messages); how many messages went."""
    forget(message_query)
    return scoped(Message).delete_many(message_query)


def delete_message_ids(message_ids: list) -> int:
    """delete_messages for the messages with these ids."""
    forget_ids(message_ids)
    return scoped(Message).delete_many({"_id": {"$in": message_ids}})


def _forget_entries_of(messages) -> int:
    removed, ids = 0, []
    for message in messages:
        ids.extend(f"{message['_id']}:{term}" for term in message_terms(message))
        if len(ids) >= BATCH * 10:
            removed += _terms().delete_many({"_id": {"$in": ids}})
            ids = []
    if ids:
        removed += _terms().delete_many({"_id": {"$in": ids}})
    return removed


def _marker_id() -> str:
    return f"backfill:{current_tenant_id()}"


def backfill(budget_s: float | None = None, from_start: bool = False) -> dict:
    """Post the current tenant's messages oldest first, from where the last run stopped
    (or `from_start`), until done or `budget_s` is spent; {"messages", "entries", "done"}.
    Messages stored meanwhile are posted as they are written."""
    deadline = None if budget_s is None else time.monotonic() + budget_s
    marker = None if from_start else _terms().find_one({"_id": _marker_id()})
    position = (marker["created_at"], marker["message_id"]) if marker else None
    counts = {"messages": 0, "entries": 0, "done": bool(marker) and marker["message_id"] == DONE}
    if counts["done"]:
        return counts
    fields = {"text": 1, "media": 1, "created_at": 1}
    for batch in oldest_first(scoped(Message), {"created_at": {"$gte": -(2 ** 62)}}, BATCH, position, fields):
        counts["entries"] += post_many(batch)
        counts["messages"] += len(batch)
        position = (batch[-1]["created_at"], batch[-1]["_id"])
        if deadline is not None and time.monotonic() >= deadline:
            _save(position[1], position[0])
            return counts
    counts["done"] = True
    _save(DONE, position[0] if position else 0)
    return counts


def _save(message_id: str, created_at: int) -> None:
    _terms().update_one({"_id": _marker_id()}, {"$set": {"term": MARKER_TERM, "message_id": message_id,
                                                          "created_at": created_at}}, upsert=True)
