"""The steps of an erasure (services.privacy.erasure), each bounded twice: by batches
within the run's deadline, and by the erasure's time `erased_at`.

What belongs to the erased history is what is dated at or before `erased_at`; anything
dated after it was stored as new and stays, however late a step runs (the request's
run, the runner finishing a 202, the last sweep). A message is dated by its store time
and by its own time (its first status time, which the ledger checks): one stored by a
worker that had not yet learned of the erasure carries an old own time and goes; the
bot's reply stored a moment after the erasure has both times later and stays.
Each step returns False when the deadline came first (the runner goes on later).
"""
import re
import time

from models.chat_session import ChatSession
from models.collections import scoped
from models.event import Event
from models.message import HELD, Message
from models.order import Order
from models.webhook_archive import WebhookArchive
from models.webhook_endpoint import WebhookDelivery
from services.messaging import conversations, search_index
from services.pagination import oldest_first
from services.privacy import export

BATCH = 1000
ERASED_TYPE = "contact.erased"


def message_time(document: dict | None) -> int | None:
    """A message's date for the ledger (or an event's copy of one): the earlier of its
    store time and its own time (the earliest of its status times)."""
    times = [t for t in ((document or {}).get("status_times") or {}).values() if isinstance(t, int)]
    created_at = (document or {}).get("created_at")
    if isinstance(created_at, int):
        times.append(created_at)
    return min(times) if times else None


def dated_by(document: dict | None, erased_at: int) -> bool:
    """Whether a message (or an event's copy of one) is dated at or before `erased_at`."""
    at = message_time(document)
    return at is not None and at <= erased_at


def conversations_of(erasure, phone, deadline, count) -> bool:
    """The contact's conversations: their erased messages a batch at a time; the summary
    goes with the last of them, or is rebuilt from those stored after the erasure."""
    erased_at = erasure["erased_at"]
    for conversation_id in export.conversation_ids(phone):
        while True:  # stored at or before the erasure (the conversation's index serves it)
            if time.monotonic() >= deadline:
                return False
            batch = [m["_id"] for m in scoped(Message).find(
                {"conversation_id": conversation_id, "created_at": {"$lte": erased_at}}, limit=BATCH,
                projection={"_id": 1})]
            if not batch:
                break
            _delete_messages(batch, count)
        if not stored_since(conversation_id, erased_at, deadline, count):
            return False
        count("conversations", conversations.rebuild_summaries(conversation_id)["removed"])
    return True


def stored_since(conversation_id: str, erased_at: int, deadline: float, count) -> bool:
    """Messages stored after the erasure but dated before it (by a worker that had not
    learned of it yet, or brought back by a restore): the conversation's newer messages,
    a page at a time; False if `deadline` came first."""
    for page in oldest_first(scoped(Message), {"conversation_id": conversation_id, "created_at": {"$gt": erased_at}},
                             BATCH, projection={"created_at": 1, "status_times": 1}):
        if time.monotonic() >= deadline:
            return False
        erased = [m["_id"] for m in page if dated_by(m, erased_at)]
        if erased:
            _delete_messages(erased, count)
    return True


def _delete_messages(ids: list, count) -> None:
    """The erased messages, after their search words and their events (a message's event
    names it by `ref` only, and a gateway status's has no subject to find it by later),
    so a run cut off in between finds them again through the messages."""
    _delete_events([e["_id"] for e in scoped(Event).find({"ref": {"$in": ids}}, projection={"_id": 1})], count)
    count("messages", search_index.delete_message_ids(ids))


def _delete_events(event_ids: list, count) -> None:
    """Events, their webhook deliveries first (a crash between the two finds the events
    again); never contact.erased's."""
    if event_ids:
        count("deliveries", scoped(WebhookDelivery).delete_many({"event_id": {"$in": event_ids},
                                                                 "event_type": {"$ne": ERASED_TYPE}}))
        count("events", scoped(Event).delete_many({"_id": {"$in": event_ids}}))


def held_messages(erasure, phone, deadline, count) -> bool:
    held = [m["_id"] for m in scoped(Message).find({"awaiting_message": HELD},
                                                   projection={"chat": 1, "created_at": 1, "status_times": 1})
            if m.get("chat") == phone and dated_by(m, erasure["erased_at"])]
    if held:
        _delete_messages(held, count)
    return time.monotonic() < deadline


def chat_session(erasure, phone, deadline, count) -> bool:
    count("chat_sessions", scoped(ChatSession).delete_one({"phone": phone,
                                                          "last_activity": {"$lte": erasure["erased_at"]}}))
    return time.monotonic() < deadline


def orders(erasure, phone, deadline, count) -> bool:
    count("orders_anonymised", scoped(Order).update_many(
        {"recipient_phone": phone, "created_at": {"$lte": erasure["erased_at"]}},
        {"$set": {"recipient_phone": None, "anonymised_at": erasure["erased_at"]}}))
    return time.monotonic() < deadline


def names_number(text: str, phone: str) -> bool:
    """Whether `text` holds `phone` as a whole number (a JID, a wa_id, "+5511..."), not
    as a part of a longer one, a timestamp or an id."""
    return re.search(r"(?<!\d)" + re.escape(phone) + r"(?!\d)", text) is not None


def archived_webhooks(erasure, phone, deadline, count) -> bool:
    """Archived bodies naming the phone in any of the gateways' forms (the digits, as in
    JIDs and Cloud API wa_ids, are in every form), received at or before the erasure."""
    last = None
    while True:
        if time.monotonic() >= deadline:
            return False
        query = {"received_at": {"$lte": erasure["erased_at"]}}
        if last is not None:
            query["_id"] = {"$gt": last}
        batch = list(scoped(WebhookArchive).find(query, sort=[("_id", 1)], limit=BATCH, projection={"body": 1}))
        carrying = [kept["_id"] for kept in batch if names_number(kept["body"], phone)]
        if carrying:
            count("archived_webhooks", scoped(WebhookArchive).delete_many({"_id": {"$in": carrying}}))
        if len(batch) < BATCH:
            return True
        last = batch[-1]["_id"]


def events(erasure, phone, deadline, count) -> bool:
    """The event log's events about the contact dated at or before the erasure, a batch
    at a time in feed order, each batch's webhook deliveries first (matched by event id:
    a crash between the two finds the events, so their deliveries, again). The
    contact.erased event and its deliveries stay: that is what they are for."""
    last = ""
    while True:
        if time.monotonic() >= deadline:
            return False
        batch = list(scoped(Event).find({"pos": {"$gt": last}}, sort=[("pos", 1)], limit=BATCH,
                                        projection={"pos": 1, "type": 1, "subject": 1, "data": 1, "time": 1}))
        about = [e["_id"] for e in batch if e["type"] != ERASED_TYPE and mentions(e, phone)
                 and erased_event(e, erasure["erased_at"])]
        _delete_events(about, count)
        if len(batch) < BATCH:
            return True
        last = batch[-1]["pos"]


def late_deliveries(erasure, phone, deadline, count) -> bool:
    """Deliveries a fan-out made, after the erasure began, from events it has deleted
    since (the fan-out read them just before): pending ones whose event is gone. Only
    deliveries made since `erased_at` are read, a batch at a time."""
    last = ""
    while True:
        if time.monotonic() >= deadline:
            return False
        batch = list(scoped(WebhookDelivery).find(
            {"state": "pending", "first_due_at": {"$gte": erasure["erased_at"]}, "_id": {"$gt": last}},
            sort=[("_id", 1)], limit=BATCH, projection={"event_id": 1, "event_type": 1}))
        ids = [d["event_id"] for d in batch if d.get("event_type") != ERASED_TYPE]
        present = {e["_id"] for e in scoped(Event).find_by_ids(ids, ("_id",))} if ids else set()
        orphans = [d["_id"] for d in batch if d.get("event_type") != ERASED_TYPE and d["event_id"] not in present]
        if orphans:
            count("deliveries", scoped(WebhookDelivery).delete_many({"_id": {"$in": orphans}}))
        if len(batch) < BATCH:
            return True
        last = batch[-1]["_id"]


def erased_event(event: dict, erased_at: int) -> bool:
    """Dated at or before the erasure: by its change's time, or, for a message's event, by
    the message's own times (one stored late by a worker that had not learned of it)."""
    return event["time"] <= erased_at or (event["type"].startswith("message.")
                                          and dated_by(event.get("data"), erased_at))


def mentions(event: dict, phone: str) -> bool:
    """Whether an event is about `phone`: its subject (a conversation's pair, a chat, an
    order...) or the phones its data names."""
    data = event.get("data") or {}
    return phone in event.get("subject", "").split(":") or phone in (
        data.get("from"), data.get("to"), data.get("chat"), data.get("recipient_phone"), data.get("phone"))


STEPS = (conversations_of, held_messages, chat_session, orders, archived_webhooks, events, late_deliveries)
