"""What a stored event shows: a message's event is rendered when it is read.

A message's event records what changed (`ref`: the message's id; `data`: the status it
reached, when, and a failure's error), not a copy of the message: that kept the
message's insert and the status write small, one command each (docs/EVENTS.md). When
read (the feed, Kafka, webhooks), the message is looked up, once per batch, and shown
as stored with the status as of the event: the statuses up to the one reached (their
earliest times) and that event's `updated_at`. A message deleted before its event is
read (its conversation deleted, its contact erased) shows what the event recorded.
Events stored before this carry the full message (no `ref`) and show it as it is.
"""
from models.collections import scoped
from models.message import RANK, Message
from services.events import event_log


def messages_of(events: list[dict]) -> dict[str, dict]:
    """The stored messages the events refer to, by id (one read)."""
    ids = sorted({event["ref"] for event in events if event.get("ref")})
    return {message["_id"]: message for message in scoped(Message).find_by_ids(ids)} if ids else {}


def resolved(events: list[dict], messages: dict[str, dict] | None = None) -> list[dict]:
    """`events` (stored) with each message event's `data` the message as of the event, and
    its subject; the others as they are. `messages`: from messages_of, if read already."""
    known = messages_of(events) if messages is None else messages
    return [_resolved(event, known.get(event["ref"])) if event.get("ref") else event for event in events]


def subject_of(event: dict, message: dict | None) -> str:
    """A stored event's subject. A status written without reading its message was stored
    without one: it is its message's (`message`: as stored, or None once it is gone, and
    then the message's id); "" for an event with neither."""
    if event.get("subject") or not event.get("ref"):
        return event.get("subject") or ""
    return event_log.message_subject(message) if message is not None else event["ref"]


def _resolved(stored: dict, message: dict | None) -> dict:
    event, recorded = {k: v for k, v in stored.items() if k != "ref"}, stored["data"]  # resolved once
    if message is None:
        return {**event, "subject": subject_of(stored, None), "data": {"_id": recorded["id"], **{
            k: v for k, v in recorded.items() if k != "id"}}}
    rank = recorded["status_rank"]
    times = {status: at for status, at in (message.get("status_times") or {}).items()
             if RANK.get(status, 99) <= rank}
    shown = {k: v for k, v in message.items() if k not in event_log.INTERNAL_FIELDS}
    shown.update(status_rank=rank, status_times=times, updated_at=recorded["updated_at"],
                 error=recorded.get("error", message.get("error")) if rank == RANK["failed"] else None)
    return {**event, "subject": subject_of(stored, message), "data": shown}
