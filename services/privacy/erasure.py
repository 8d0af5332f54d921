"""Erasing one end user's data for good.

The ledger entry comes first (services.privacy.ledger), so nothing dated before the
erasure is stored again while it runs or after. Then, in bounded batches, each step
idempotent so a run cut off by a crash is simply run again: the contact's conversations
(their messages, in both directions, and summaries), messages held for their session's
number, the chat session, archived webhook bodies that carry the phone; orders keep
their amounts and product types and lose the phone; statistics do not move.

`erase` runs within a time budget: done in time, the counts (a 200); not, the
erasure's id (a 202 to poll) and the scheduler's runner (`run_pending`) finishes it, as
it finishes one a crash cut off. A last sweep after the ledger's refresh time catches a
message another worker stored before it learned of the erasure. The phone is kept
only encrypted, and only while the erasure runs; logs name the erasure, not the phone.
"""
import json
import logging
import secrets
import time

from models.chat_session import ChatSession
from models.collections import GlobalCollection, scoped
from models.conversation import Conversation
from models.erasure import Erasure
from models.event import Event
from models.message import HELD, Message
from models.order import Order
from models.tenancy import tenant_scope
from models.webhook_archive import WebhookArchive
from models.webhook_endpoint import WebhookDelivery
from services import clock, secret_box
from services.errors import found
from services.events import event_log
from services.privacy import export, ledger

log = logging.getLogger(__name__)
BATCH = 1000
COUNTS = ("messages", "conversations", "chat_sessions", "orders_anonymised", "archived_webhooks", "events")
SWEEP_AFTER_MS = int(ledger.REFRESH_S * 1000) + 1000


def erase(phone: str, budget_s: float, request_id: str | None = None) -> dict:
    """Erase the current tenant's data about `phone`; the erasure (state "done" with
    its counts, or "running" if the budget ran out first)."""
    now = clock.now_ms()
    ledger.record(phone, now)
    erasure = {"_id": "er_" + secrets.token_hex(12), "state": "running", "phone": secret_box.encrypt(phone),
               "erased_at": now, "erased": {name: 0 for name in COUNTS}, "request_id": request_id}
    scoped(Erasure).insert_one(erasure)
    log.info("erasure %s started (request %s)", erasure["_id"], request_id or "-")
    return _run(erasure, time.monotonic() + budget_s)


def get_erasure(erasure_id: str) -> dict:
    return public(found(scoped(Erasure).find_one({"_id": erasure_id}), f"no erasure '{erasure_id}'"))


def public(erasure: dict) -> dict:
    return {"id": erasure["_id"], "state": erasure["state"], "erased_at": erasure["erased_at"],
            "erased": {name: erasure.get("erased", {}).get(name, 0) for name in COUNTS},
            "finished_at": erasure.get("finished_at")}


def run_pending(budget_s: float) -> int:
    """Go on with erasures left running (budget spent, or a crash); how many finished."""
    finished = 0
    deadline = time.monotonic() + budget_s
    for pending in GlobalCollection(Erasure).find({"state": "running"}, projection={"_id": 1, "tenant_id": 1}):
        if time.monotonic() >= deadline:
            break
        with tenant_scope(pending["tenant_id"]):
            erasure = scoped(Erasure).find_one({"_id": pending["_id"], "state": "running"})
            if erasure is not None and _run(erasure, deadline)["state"] == "done":
                finished += 1
    return finished


def _run(erasure: dict, deadline: float) -> dict:
    try:
        phone = secret_box.decrypt(erasure["phone"])
    except secret_box.SecretKeyError:
        log.error("erasure %s cannot go on: its phone cannot be decrypted with this SECRET_KEY", erasure["_id"])
        raise
    for step in (_conversations, _held_messages, _chat_session, _orders, _archived_webhooks, _pending_deliveries,
                 _events):
        if not step(erasure, phone, deadline):
            return public(erasure)
    # Its id is the erasure's, so a run repeated after a crash or for the last sweep adds none.
    # Placed now, not at erased_at: a run longer than the feed's settle time would put it
    # behind readers' cursors.
    with event_log.deadline():
        event_log.record("contact", "erased", erasure["erased_at"],
                         {"phone": phone, "erased_at": clock.iso(erasure["erased_at"]), "erased": erasure["erased"]},
                         placed_at=clock.now_ms())
    if clock.now_ms() < erasure["erased_at"] + SWEEP_AFTER_MS:  # the last sweep is the runner's
        return public({**erasure, "state": "done"})
    scoped(Erasure).update_one({"_id": erasure["_id"]},
                               {"$set": {"state": "done", "phone": None, "finished_at": clock.now_ms()}})
    log.info("erasure %s done (request %s): %s", erasure["_id"], erasure.get("request_id") or "-",
             erasure["erased"])
    return get_erasure(erasure["_id"])


def _count(erasure: dict, name: str, n: int) -> None:
    if n:
        erasure["erased"][name] = erasure["erased"].get(name, 0) + n
        scoped(Erasure).update_one({"_id": erasure["_id"]}, {"$inc": {f"erased.{name}": n}})


def _conversations(erasure, phone, deadline) -> bool:
    """The contact's conversations: their messages in batches, then the summaries."""
    for conversation_id in export.conversation_ids(phone):
        while True:
            if time.monotonic() >= deadline:
                return False
            batch = [m["_id"] for m in scoped(Message).find({"conversation_id": conversation_id},
                                                            projection={"_id": 1}, limit=BATCH)]
            if not batch:
                break
            _count(erasure, "messages", scoped(Message).delete_many({"_id": {"$in": batch}}))
        _count(erasure, "conversations", scoped(Conversation).delete_one({"conversation_id": conversation_id}))
    return True


def _held_messages(erasure, phone, deadline) -> bool:
    held = [m["_id"] for m in scoped(Message).find({"awaiting_message": HELD}, projection={"chat": 1})
            if m.get("chat") == phone]
    if held:
        _count(erasure, "messages", scoped(Message).delete_many({"_id": {"$in": held}}))
    return time.monotonic() < deadline


def _chat_session(erasure, phone, deadline) -> bool:
    _count(erasure, "chat_sessions", scoped(ChatSession).delete_one({"phone": phone}))
    return time.monotonic() < deadline


def _orders(erasure, phone, deadline) -> bool:
    _count(erasure, "orders_anonymised", scoped(Order).update_many(
        {"recipient_phone": phone}, {"$set": {"recipient_phone": None, "anonymised_at": erasure["erased_at"]}}))
    return time.monotonic() < deadline


def _archived_webhooks(erasure, phone, deadline) -> bool:
    """Archived bodies naming the phone in any of the gateways' forms (the digits, as in
    JIDs and Cloud API wa_ids, are in every form)."""
    last = None
    while True:
        if time.monotonic() >= deadline:
            return False
        query = {"_id": {"$gt": last}} if last is not None else {}
        batch = list(scoped(WebhookArchive).find(query, sort=[("_id", 1)], limit=BATCH, projection={"body": 1}))
        carrying = [kept["_id"] for kept in batch if phone in kept["body"]]
        if carrying:
            _count(erasure, "archived_webhooks", scoped(WebhookArchive).delete_many({"_id": {"$in": carrying}}))
        if len(batch) < BATCH:
            return True
        last = batch[-1]["_id"]


def _pending_deliveries(erasure, phone, deadline) -> bool:
    """Events about the contact still waiting to be pushed to the tenant's webhook endpoints."""
    # Deliveries hold no envelope since they are rendered at send time (a delivery whose
    # event the erasure removed is dropped by its lane); older ones may still carry one.
    waiting = [d["_id"] for d in scoped(WebhookDelivery).find({}, projection={"envelope": 1})
               if "envelope" in d and phone in json.dumps(d["envelope"])]
    if waiting:
        _count(erasure, "events", scoped(WebhookDelivery).delete_many({"_id": {"$in": waiting}}))
    return time.monotonic() < deadline


def _events(erasure, phone, deadline) -> bool:
    """The event log's events about the contact (kept EVENTS_RETENTION_DAYS), read a batch
    at a time in feed order; a contact.erased event stays, that is what it is for."""
    last = ""
    while True:
        if time.monotonic() >= deadline:
            return False
        batch = list(scoped(Event).find({"pos": {"$gt": last}}, sort=[("pos", 1)], limit=BATCH,
                                        projection={"pos": 1, "type": 1, "subject": 1, "data": 1}))
        about = [e["_id"] for e in batch if e["type"] != "contact.erased" and mentions(e, phone)]
        if about:
            _count(erasure, "events", scoped(Event).delete_many({"_id": {"$in": about}}))
        if len(batch) < BATCH:
            return True
        last = batch[-1]["pos"]


def mentions(event: dict, phone: str) -> bool:
    """Whether an event is about `phone`: its subject (a conversation's pair, a chat, an
    order...) or the phones its data names."""
    data = event.get("data") or {}
    return phone in event.get("subject", "").split(":") or phone in (
        data.get("from"), data.get("to"), data.get("chat"), data.get("recipient_phone"), data.get("phone"))
