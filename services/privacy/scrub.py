"""Applying the erasure ledger to data that came back from elsewhere (a restored
snapshot, kept snapshot files): what is dated at or before its contact's erasure goes,
orders lose the phone. The ledger holds keyed hashes, not phones, so each phone met is
hashed and looked up (services.privacy.ledger). Every file of a generation is covered:
raw archived webhook bodies name phones only inside their text, so each whole number
of a phone's length in a body is looked up as a phone."""
import json
import math
import os
import re
import shutil
from pathlib import Path

from models.chat_session import ChatSession
from models.collections import GlobalCollection, scoped
from models.conversation import Conversation
from models.message import HELD, Message
from models.erasure import ErasedContact
from models.event import Event
from models.order import Order
from models.tenancy import tenant_scope
from models.webhook_archive import WebhookArchive
from services.messaging import conversations, search_index
from services.operations import snapshots
from services.operations.snapshot_files import fsync_dir, read_records, write_records
from services.privacy import erasure_steps, ledger
from services.privacy.erasure_steps import message_time

LEDGER_FILE = "erased_contacts.jsonl.gz"
NUMBERS = re.compile(r"(?<!\d)\d{7,15}(?!\d)")  # E.164 holds at most 15 digits
BATCH = 500
_DEFAULT_COLLECTION = {name: sources[0][0]._get_collection_name() for name, sources, _restored in snapshots.FILES}


def record_is_erased(collection: str, record: dict) -> bool | None:
    """For a snapshot record of the current tenant: True to drop it, None to keep it as
    it is; orders are anonymised in place (their phone goes) and kept."""
    if collection == "messages":
        phones = (record.get("conversation_id") or "").split(":") + [record.get("chat")]
        return ledger.erased_before(phones, message_time(record) or 0) or None
    if collection == "conversations":
        return ledger.erased_before(record.get("participants") or [], record.get("created_at") or 0) or None
    if collection == "events":
        if record.get("type") == "contact.erased":
            return None
        data = record.get("data") or {}
        phones = (record.get("subject") or "").split(":") + [data.get(k) for k in ("from", "to", "chat",
                                                                                  "recipient_phone", "phone")]
        return ledger.erased_before(phones, record.get("time") or 0) or None
    if collection == "webhook_archive":
        return ledger.erased_before(NUMBERS.findall(record.get("body") or ""), record.get("received_at") or 0) or None
    if collection == "chat_sessions":
        return ledger.erased_before([record.get("phone")], record.get("last_activity") or 0) or None
    if collection == "orders" and ledger.erased_before([record.get("recipient_phone")], record.get("created_at") or 0):
        record["recipient_phone"] = None
    return None


def scrub_store() -> dict:
    """Remove from the current tenant's store what its ledger says is erased; counts."""
    counts = {"messages": 0, "conversations": 0, "chat_sessions": 0, "orders_anonymised": 0, "events": 0,
              "archived_webhooks": 0}
    if not ledger.any_erased():
        return counts

    def count(key: str, n: int) -> None:
        counts[key] = counts.get(key, 0) + n

    for summary in list(scoped(Conversation).find({}, projection={"conversation_id": 1})):
        conversation_id = summary["conversation_id"]
        erased = [ledger.erased_at(phone) for phone in conversation_id.split(":")]
        latest = max((at for at in erased if at is not None), default=None)
        if latest is not None:
            counts["messages"] += search_index.delete_messages({"conversation_id": conversation_id,
                                                                "created_at": {"$lte": latest}})
            erasure_steps.stored_since(conversation_id, latest, math.inf, count)  # stored later, dated before
            counts["conversations"] += conversations.rebuild_summaries(conversation_id)["removed"]
    held = [m["_id"] for m in scoped(Message).find({"awaiting_message": HELD},
                                                   projection={"chat": 1, "created_at": 1, "status_times": 1})
            if ledger.erased_before([m.get("chat")], message_time(m) or 0)]
    if held:
        counts["messages"] += search_index.delete_message_ids(held)
    for session in list(scoped(ChatSession).find({}, projection={"phone": 1, "last_activity": 1})):
        if ledger.erased_before([session["phone"]], session["last_activity"]):
            counts["chat_sessions"] += scoped(ChatSession).delete_one({"_id": session["_id"]})
    for event in list(scoped(Event).find({}, projection={"type": 1, "subject": 1, "data": 1, "time": 1})):
        if record_is_erased("events", event):
            counts["events"] += scoped(Event).delete_one({"_id": event["_id"]})
    counts["archived_webhooks"] = _scrub_archive()
    for order in list(scoped(Order).find({}, projection={"recipient_phone": 1, "created_at": 1})):
        if ledger.erased_before([order.get("recipient_phone")], order["created_at"]):
            counts["orders_anonymised"] += scoped(Order).update_many({"_id": order["_id"]},
                                                                     {"$set": {"recipient_phone": None}})
    return counts


def _scrub_archive() -> int:
    """Archived bodies naming an erased contact, received at or before its erasure."""
    removed, last = 0, None
    while True:
        query = {"_id": {"$gt": last}} if last is not None else {}
        batch = list(scoped(WebhookArchive).find(query, sort=[("_id", 1)], limit=BATCH,
                                                 projection={"body": 1, "received_at": 1}))
        erased = [kept["_id"] for kept in batch if record_is_erased("webhook_archive", kept)]
        if erased:
            removed += scoped(WebhookArchive).delete_many({"_id": {"$in": erased}})
        if len(batch) < BATCH:
            return removed
        last = batch[-1]["_id"]


def scrub_generation(generation: Path) -> int:
    """Rewrite a kept snapshot generation without what the store's ledger says is erased:
    same files and format, new checksums, and the store's ledger in place of the
    generation's older one. Written beside it and swapped in by renames, so a crash
    leaves the old generation or the new one, never half of either. Records dropped."""
    manifest = snapshots.read_manifest(generation)
    work = generation.with_name(f".scrub-{generation.name}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    counts = {"dropped": 0}
    for file_name in sorted(set(manifest["files"]) | {LEDGER_FILE}):  # older generations had no ledger
        if file_name == LEDGER_FILE:
            records = GlobalCollection(ErasedContact).find({}, sort=[("_id", 1)])
        else:
            records = _kept(generation / file_name, _DEFAULT_COLLECTION.get(file_name), counts)
        manifest["files"][file_name] = write_records(work, file_name, records)
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
    with open(work / "manifest.json", "rb+") as handle:
        os.fsync(handle.fileno())
    fsync_dir(work)
    old = generation.with_name(f".scrubbed-{generation.name}")
    os.rename(generation, old)
    os.rename(work, generation)
    fsync_dir(generation.parent)
    shutil.rmtree(old)
    return counts["dropped"]


def _kept(path: Path, default: str | None, counts: dict):
    for record in read_records(path):
        if _drops(record.get(snapshots.COLLECTION_KEY, default), record):
            counts["dropped"] += 1
        else:
            yield record


def _drops(collection: str | None, record: dict) -> bool:
    tenant_id = record.get("tenant_id")
    if not tenant_id or collection is None:
        return False
    with tenant_scope(tenant_id):
        return bool(record_is_erased(collection, record))
