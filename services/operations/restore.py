"""Bringing a store back from a snapshot generation.

At start-up a store with no ChatKeep data at all (no tenant, no tenant-owned document)
is restored from the newest generation whose checksums verify; a corrupt one is set
aside (renamed, never deleted) and the one before it tried. A store holding anything
is left alone: messages without their tenant are still someone's data. Chat sessions
already past their tenant's TTL are left out, and the conversation summaries are
rebuilt from the restored messages, so they agree with them even where the snapshot
caught a write between two files. Tenants' secrets come back sealed with this host's
SECRET_KEY; those it cannot open (the snapshot was written under another key) are unset
and reported, and everything else is restored.

Every restore is marked in the database (restore_marker) before its first write and
unmarked after its last: one cut off midway is found at the next start, what it wrote
is cleared and the restore done again.

Several hosts may start on one empty database at once (each with generations in its
own DATA_DIR): the start-up restore is done under a lease held by the host and its
DATA_DIR, renewed as it goes, so one host restores and the others, seeing the lease
(and then the marker, or the data), restore nothing; a restart of the same service
after a crash mid-restore takes its own lease again and redoes the restore at once.
"""
import logging
import socket
import time
from pathlib import Path

from pymongo.errors import BulkWriteError, DuplicateKeyError

from models import TENANT_DOCUMENTS, ErasedContact, Tenant
from models.collections import GlobalCollection
from models.lease import Lease
from services import clock
from services.messaging import conversations, search_index
from services.operations import leases, restore_marker, snapshots, stored_secrets
from services.operations.snapshot_files import read_records
from services.privacy import scrub
from services.tenancy import tenants

log = logging.getLogger(__name__)
DOCUMENTS = {cls._get_collection_name(): cls for _name, sources, _restored in snapshots.FILES for cls, _q in sources}
RESTORED_FILES = [(name, sources) for name, sources, restored in snapshots.FILES if restored]
BATCH = 500
LEDGER = ErasedContact._get_collection_name()
KEPT_THROUGH_RESTORE = (ErasedContact,)  # the erasure ledger is no data, and must outlive every restore
DEFAULT_TTL_HOURS = Tenant.chat_session_ttl_hours.default
RESTORE_LEASE = "startup-restore"
# Renewed at least every third of it while records are inserted; long enough for the
# summaries' rebuild after the last insert on a large store.
RESTORE_LEASE_MS = 15 * 60_000


def store_is_empty() -> bool:
    """No tenant and no tenant-owned document: nothing a restore could overwrite."""
    return not any(list(GlobalCollection(cls).find({}, limit=1, projection={"_id": 1}))
                   for cls in (Tenant, *TENANT_DOCUMENTS) if cls not in KEPT_THROUGH_RESTORE)


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
        if collection_name == LEDGER:  # the store's own ledger entry is as new or newer: it stays
            return exc.details.get("nInserted", 0)
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


class Restored(dict):
    """Records per file, {file: {"restored": n, "skipped": n}}; and in
    `secrets_to_set_again`, {slug: [field, ...]} of the tenants' secrets that no
    SECRET_KEY key here opens, now unset (their Cloud webhooks answer 401 until set)."""

    secrets_to_set_again: dict


def restore(generation: Path, progress=None) -> Restored:
    """Load `generation` into the (empty or emptied) database; returns records per file."""
    counts, ttl_by_tenant, now = Restored(), {}, clock.now_ms()
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
    for tenant in tenants.each_tenant():
        conversations.rebuild_summaries()
        scrubbed = scrub.scrub_store()  # what the ledger says was erased after the snapshot
        search_index.backfill()  # snapshots hold no search terms: made again from what was restored
        if any(scrubbed.values()):
            log.warning("restore: tenant %s: erased contacts' data left out again: %s", tenant.slug, scrubbed)
    # The restored secrets and ledger keys, re-encrypted under this host's SECRET_KEY.
    counts.secrets_to_set_again = stored_secrets.settle(after_restore=True)
    return counts


def clear_store() -> None:
    """Remove every ChatKeep document: before each restore (an operator's --replace, or
    what a cut-off restore wrote). Leases, the restore marker and the erasure ledger
    stay: an older snapshot must not bring back who was erased since."""
    for document_class in (Tenant, *TENANT_DOCUMENTS):  # snapshotted or not (repair marks)
        if document_class not in KEPT_THROUGH_RESTORE:
            GlobalCollection(document_class).delete_many({})


def restore_marked(generation: Path, started_by: str, progress=None) -> dict:
    """Clear the store and restore `generation` under the restore marker; records per file."""
    restore_marker.mark_started(generation, started_by)
    clear_store()  # after the mark: a cut-off clear is redone too
    listed = snapshots.read_manifest(generation)["files"]
    log.warning("restoring snapshot %s from %s (%s): %s records", generation.name, generation, started_by,
                sum(listed.get(name, {}).get("records", 0) for name, _sources in RESTORED_FILES))
    counts = restore(generation, progress)
    restore_marker.mark_finished()
    log.warning("restored snapshot %s from %s: %s", generation.name, generation,
                ", ".join(f"{name} {c['restored']} restored, {c['skipped']} skipped" for name, c in counts.items()))
    return counts


def _candidates(data_dir: str, cut_off: dict | None) -> list[Path]:
    """Generations to restore, best first: the one a cut-off restore was restoring (an
    operator chose it), then the newest."""
    found = snapshots.generations(data_dir)
    if cut_off is None:
        return found
    chosen = Path(cut_off["source"])
    return ([chosen] if (chosen / "manifest.json").exists() else []) + [g for g in found if g.resolve() != chosen]


def restore_on_startup(data_dir: str) -> str | None:
    """Restore the newest good generation into a store with no data, or redo a restore
    that was cut off; the generation's name, or None when nothing was restored (also
    when another host is restoring: see the module's docstring)."""
    if restore_marker.unfinished() is None and not store_is_empty():
        return None  # every ordinary start: no lease needed
    holder = f"{socket.gethostname()}:{data_dir}"
    if not leases.hold(RESTORE_LEASE, RESTORE_LEASE_MS, holder):
        log.warning("another host is restoring this database (%s): not restoring here; /readyz answers 503 "
                    "until it has finished", _lease_holder())
        return None
    try:
        return _restore_newest(data_dir, _renewing(holder))
    finally:
        leases.release(RESTORE_LEASE, holder)


def _lease_holder() -> str:
    lease = GlobalCollection(Lease).find_one({"_id": RESTORE_LEASE}) or {}
    return lease.get("holder", "unknown")


def _renewing(holder: str):
    """A restore progress callback that renews the restore lease a third of the way through its time."""
    renewed_at = time.monotonic()

    def progress(_records: int) -> None:
        nonlocal renewed_at
        if time.monotonic() - renewed_at >= RESTORE_LEASE_MS / 3000:
            renewed_at = time.monotonic()
            leases.hold(RESTORE_LEASE, RESTORE_LEASE_MS, holder)
    return progress


def _restore_newest(data_dir: str, progress) -> str | None:
    cut_off = restore_marker.unfinished()  # again, under the lease: another host may have finished meanwhile
    if cut_off is None and not store_is_empty():
        return None
    if cut_off is not None:
        log.warning("the restore of snapshot %s from %s (%s, started %s) did not finish: clearing what it "
                    "wrote and restoring again", cut_off["generation"], cut_off["source"], cut_off["started_by"],
                    clock.iso(cut_off["started_at"]))
    for generation in _candidates(data_dir, cut_off):
        problems = snapshots.verify(generation)
        if problems:
            aside = snapshots.set_aside(generation)
            log.error("snapshot %s is corrupt (%s); set aside as %s", generation.name, "; ".join(problems),
                      aside.name)
            continue
        restore_marked(generation, "startup", progress)
        return generation.name
    if cut_off is not None:
        log.error("no snapshot generation verifies to redo the cut-off restore with: the store keeps its partial "
                  "data and /readyz answers 503 until `flask --app app snapshot restore` finishes")
    return None
