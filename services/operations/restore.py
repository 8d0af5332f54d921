"""Bringing a store back from a snapshot generation.

At start-up a store with no tenants is restored from the newest generation whose
checksums verify; a corrupt one is set aside (renamed, never deleted) and the one
before it tried. Chat sessions already past their tenant's TTL are left out, and the
conversation summaries are rebuilt from the restored messages, so they agree with
them even where the snapshot caught a write between two files.
"""
import logging
from pathlib import Path

from pymongo.errors import BulkWriteError, DuplicateKeyError

from models import Tenant
from models.collections import GlobalCollection
from services import clock
from services.messaging import conversations
from services.operations import snapshots
from services.operations.snapshot_files import read_records
from services.tenancy import tenants

log = logging.getLogger(__name__)
DOCUMENTS = {cls._get_collection_name(): cls for _name, sources, _restored in snapshots.FILES for cls, _q in sources}
RESTORED_FILES = [(name, sources) for name, sources, restored in snapshots.FILES if restored]
BATCH = 500
DEFAULT_TTL_HOURS = Tenant.chat_session_ttl_hours.default


def store_is_empty() -> bool:
    return GlobalCollection(Tenant).count({}) == 0


def _insert(collection_name: str, batch: list) -> int:
    collection = GlobalCollection(DOCUMENTS[collection_name])
    try:
        collection.insert_many(batch)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(error.get("code") != 11000 for error in errors):
            raise
        # The same _id again: a document a snapshot met twice (the later record is the
        # newer, see snapshots._in_key_order) or a re-run over partly restored data.
        replaced = sum(_replace(collection, batch[error["index"]]) for error in errors)
        return exc.details.get("nInserted", 0) + replaced
    return len(batch)


def _replace(collection, record: dict) -> int:
    try:
        return collection.replace_one({"_id": record["_id"]}, record)
    except DuplicateKeyError:  # another document holds one of its unique keys: that one stays
        return 0


def _live(record: dict, ttl_by_tenant: dict, now: int) -> bool:
    ttl_ms = ttl_by_tenant.get(record.get("tenant_id"), DEFAULT_TTL_HOURS) * clock.HOUR_MS
    return record.get("last_activity", 0) > now - ttl_ms


def restore(generation: Path, progress=None) -> dict:
    """Load `generation` into the (empty or emptied) database; returns records per file."""
    counts, ttl_by_tenant, now = {}, {}, clock.now_ms()
    for file_name, sources in RESTORED_FILES:
        if file_name in snapshots.ADDED_LATER and not (generation / file_name).exists():
            continue  # a generation written before the file existed
        default_collection = sources[0][0]._get_collection_name()
        batches: dict[str, list] = {}
        restored = skipped = 0
        for record in read_records(generation / file_name):
            collection_name = record.pop(snapshots.COLLECTION_KEY, default_collection)
            if collection_name == "tenants":
                ttl_by_tenant[record["_id"]] = record.get("chat_session_ttl_hours") or DEFAULT_TTL_HOURS
            if collection_name == "chat_sessions" and not _live(record, ttl_by_tenant, now):
                skipped += 1
                continue
            batch = batches.setdefault(collection_name, [])
            batch.append(record)
            if len(batch) >= BATCH:
                restored += _insert(collection_name, batch)
                batches[collection_name] = []
                if progress:
                    progress(len(batch))
        for collection_name, batch in batches.items():
            if batch:
                restored += _insert(collection_name, batch)
                if progress:
                    progress(len(batch))
        counts[file_name] = {"restored": restored, "skipped": skipped}
    for _tenant in tenants.each_tenant():
        conversations.rebuild_summaries()
    return counts


def clear_store() -> None:
    """Remove every ChatKeep document (for an operator's explicit restore --replace)."""
    for document_class in DOCUMENTS.values():
        GlobalCollection(document_class).delete_many({})


def restore_on_startup(data_dir: str) -> str | None:
    """Restore the newest good generation into an empty store; the generation's name or None."""
    if not store_is_empty():
        return None
    for generation in snapshots.generations(data_dir):
        problems = snapshots.verify(generation)
        if problems:
            aside = snapshots.set_aside(generation)
            log.error("snapshot %s is corrupt (%s); set aside as %s", generation.name, "; ".join(problems),
                      aside.name)
            continue
        counts = restore(generation)
        log.info("empty database restored from snapshot %s: %s", generation.name, counts)
        return generation.name
    return None
