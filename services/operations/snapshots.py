"""Snapshot generations: DATA_DIR/snapshots/<UTC timestamp>/ with a manifest.

A generation is written into `<name>.partial/`, each file atomically, the manifest
last, and only then renamed to `<name>/`: a crash or a full disk leaves the earlier
generations as they were and no partial generation that could be mistaken for one.
Records are read with plain cursors, so memory stays flat however large the store.
"""
import errno
import fcntl
import json
import logging
import os
import re
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from models import (ChatSession, Conversation, ErasedContact, Event, GatewaySession, LegacyImport, Message, Order,
                    SalesDay, SalesTotal, Tenant, TenantDocument, WebhookArchive, WebhookEndpoint)
from models.collections import GlobalCollection
from services import clock
from services.operations.metrics import SNAPSHOT_LAST_SUCCESS, SNAPSHOTS
from services.operations.snapshot_files import fsync_dir, sha256_of, write_records
from services.private_files import open_private, private_dir, write_private_text
from services.tenancy.tenant_secrets import sealed_record

log = logging.getLogger(__name__)
FORMAT_VERSION = 1
GENERATION_NAME = re.compile(r"\d{8}T\d{6}\.\d{3}Z(-\d+)?")  # anything else there (lost+found) is not ours
PAGE = 100  # documents per read: about 3.5 ms of nx-27017's time (250: 7.5 ms)
# Live traffic goes first: a scheduled or manual snapshot rests twice as long as each
# read took. The final one, taken when the service no longer serves, reads flat out.
REST_RATIO = {"scheduled": 2.0, "manual": 2.0, "shutdown": 0.0}
# (file, [(document class, query)], restored from it). The .json files keep the names
# older bots used; pending_orders.json is for people, orders are restored from the .gz.
FILES = (
    ("tenants.jsonl.gz", [(Tenant, {})], True),
    ("gateway_sessions.jsonl.gz", [(GatewaySession, {})], True),
    ("messages.jsonl.gz", [(Message, {})], True),
    ("conversations.jsonl.gz", [(Conversation, {})], True),
    ("orders.jsonl.gz", [(Order, {})], True),
    # After the documents whose changes they record: an event is written after its change.
    ("events.jsonl.gz", [(Event, {})], True),
    ("chat_sessions.json", [(ChatSession, {})], True),
    ("sales_stats.json", [(SalesTotal, {}), (SalesDay, {})], True),
    # What legacy imports added (`stats rebuild` adds it back) and the optional raw archive.
    ("legacy_imports.jsonl.gz", [(LegacyImport, {})], True),
    ("webhook_archive.jsonl.gz", [(WebhookArchive, {})], True),
    # The erasure ledger (keyed hashes, no phones): a restore never brings an erased contact back.
    ("erased_contacts.jsonl.gz", [(ErasedContact, {})], True),
    # Tenants' webhook endpoints (secrets as ciphertext); pending deliveries are work in flight, not kept.
    ("webhook_endpoints.jsonl.gz", [(WebhookEndpoint, {})], True),
    ("pending_orders.json", [(Order, {"status": "pending"})], False),
)
# Files generations written before them lack: their manifests do not name them, and
# such a generation is complete without them (restored with none of those records).
ADDED_LATER = {"events.jsonl.gz", "erased_contacts.jsonl.gz", "webhook_endpoints.jsonl.gz"}
LOWEST_MS = -(2 ** 62)
# The field each tenant's documents are paged by (indexed right after tenant_id; its
# values all of one type) and that type's lowest value. Keys that never change once set
# are chosen, so a later page never meets a document again. What is not named here
# holds a few documents per tenant and is read in one query.
PAGED_BY = {
    GatewaySession: ("session_id", ""),
    Message: ("created_at", LOWEST_MS),
    Conversation: ("conversation_id", ""),
    Order: ("external_order_id", ""),
    ChatSession: ("phone", ""),
    SalesDay: ("date", ""),
    WebhookArchive: ("received_at", LOWEST_MS),
    Event: ("pos", ""),
}
COLLECTION_KEY = "_collection"  # names the collection of each record in multi-collection files


DISK_FULL_EXIT = 75  # `snapshot take` exits with this when the disk (or quota) is full
BUSY_EXIT = 76  # ...and with this when a scheduled snapshot skipped its turn (SnapshotBusy)


class SnapshotError(RuntimeError):
    """A snapshot could not be written; the earlier generations are intact."""

    def __init__(self, message: str, disk_full: bool = False):
        super().__init__(message)
        self.disk_full = disk_full


class SnapshotBusy(SnapshotError):
    """A scheduled snapshot found another one running, and skipped its turn."""


def exit_status(error: SnapshotError) -> int:
    """How `snapshot take` and the snapshot child exit on `error`; SnapshotChild reads it back."""
    return BUSY_EXIT if isinstance(error, SnapshotBusy) else DISK_FULL_EXIT if error.disk_full else 1


def count_outcome(trigger: str, outcome: str) -> None:
    """chatkeep_snapshots_total, and the time of the last success: by the process that
    took the snapshot, or by the parent of a snapshot child (which writes no metrics)."""
    SNAPSHOTS.labels(trigger, outcome).inc()
    if outcome == "ok":
        SNAPSHOT_LAST_SUCCESS.set(clock.now_ms() / 1000)


def _is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def snapshots_dir(data_dir: str) -> Path:
    return Path(data_dir) / "snapshots"


@contextmanager
def _host_lock(root: Path, trigger: str):
    """One snapshot at a time on this host (scheduled, manual and final ones alike). A
    scheduled one that finds another running skips its turn (SnapshotBusy, counted):
    queued behind it, and stopped by the scheduler's time limit while still waiting, it
    could keep a large store from ever completing a snapshot. Others wait."""
    private_dir(root)
    with open_private(root / ".lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB if trigger == "scheduled" else fcntl.LOCK_EX)
        except BlockingIOError:
            count_outcome(trigger, "skipped")
            raise SnapshotBusy("another snapshot is being written on this host") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read(collection, query: dict, rest_ratio: float, **options) -> list:
    """One bounded read, then a rest `rest_ratio` times as long as it took: the
    database (nx-27017 serves one request at a time) answers live traffic meanwhile."""
    started = time.monotonic()
    documents = list(collection.find(query, **options))
    if rest_ratio:
        time.sleep((time.monotonic() - started) * rest_ratio)
    return documents


def _in_key_order(collection, query: dict, key: str, lowest, rest_ratio: float):
    """Every document matching `query`, a page at a time in `key` order.

    Documents without `key` come first (parked statuses have no created_at). One that
    gets it meanwhile (a parked status filled by its message) is then met again by the
    pages: written twice, the later record is the newer one. Reading them last instead
    could miss such a document altogether. Pages end at a value of `key` whose
    documents may not all fit: that value's documents are read whole, then the next
    page starts after it.
    """
    yield from _read(collection, {**query, key: None}, rest_ratio)
    bound = {"$gte": lowest}
    while True:
        page = _read(collection, {**query, key: bound}, rest_ratio, sort=[(key, 1)], limit=PAGE)
        if len(page) < PAGE:
            yield from page
            return
        edge = page[-1][key]
        yield from (document for document in page if document[key] != edge)
        yield from _read(collection, {**query, key: {"$eq": edge}}, rest_ratio)
        bound = {"$gt": edge}


def _records(sources, tenant_ids: list, rest_ratio: float):
    """Every document of `sources`, tenant by tenant for tenant-owned collections."""
    tagged = len(sources) > 1
    for document_class, query in sources:
        collection = GlobalCollection(document_class)
        if issubclass(document_class, TenantDocument):
            reads = (_tenant_documents(collection, document_class, {"tenant_id": {"$eq": tenant_id}, **query},
                                       rest_ratio) for tenant_id in tenant_ids)
        else:
            reads = [_read(collection, query, rest_ratio)]
        for documents in reads:
            for document in documents:
                if document_class is Tenant:
                    document = sealed_record(document)
                yield {COLLECTION_KEY: collection.name, **document} if tagged else document


def _tenant_documents(collection, document_class, query: dict, rest_ratio: float):
    if document_class in PAGED_BY:
        key, lowest = PAGED_BY[document_class]
        return _in_key_order(collection, query, key, lowest, rest_ratio)
    return _read(collection, query, rest_ratio)


def _base_name(name: str) -> str:
    """A generation's name without `.partial` or `.corrupt`."""
    return name.removesuffix(".corrupt").removesuffix(".partial")


def _order_key(name: str) -> tuple[str, int]:
    """Generations (by their base name) sort by this: their UTC time, then the number
    after it, if any."""
    stamp, _, n = name.partition("-")
    return stamp, int(n) if n.isdigit() else 1


def _generation_name(root: Path) -> str:
    """The new generation's UTC time, or, if that does not sort after every generation
    on disk (the same millisecond, or the clock stepped back), the newest one's time with
    the next number: generations sort in the order they were written, so restore takes
    the last one written that verifies. created_at in the manifest keeps the clock's time."""
    stamp = clock.iso(clock.now_ms()).replace("-", "").replace(":", "")  # 20261122T101530.123Z
    names = (_base_name(p.name) for p in root.iterdir())
    newest = max((_order_key(name) for name in names if GENERATION_NAME.fullmatch(name)), default=("", 0))
    if (stamp, 1) > newest:
        return stamp
    return f"{newest[0]}-{newest[1] + 1}"


def take_snapshot(data_dir: str, trigger: str, keep: int) -> dict:
    """Write a new generation and prune old ones; returns its manifest (SnapshotBusy
    for a scheduled one while another is written, see _host_lock)."""
    root = snapshots_dir(data_dir)
    with _host_lock(root, trigger):
        name = _generation_name(root)
        partial = root / f"{name}.partial"
        try:
            private_dir(partial, exist_ok=False)
            manifest = {"format_version": FORMAT_VERSION, "generation": name, "trigger": trigger,
                        "created_at": clock.iso(clock.now_ms()), "files": {}}
            # One list of tenants for every file, so all files see the same tenants.
            tenant_ids = [t["_id"] for t in GlobalCollection(Tenant).find({}, sort=[("_id", 1)],
                                                                          projection={"_id": 1})]
            rest = REST_RATIO.get(trigger, 0.0)
            for file_name, sources, _restored in FILES:
                manifest["files"][file_name] = write_records(partial, file_name,
                                                             _records(sources, tenant_ids, rest))
            manifest["completed_at"] = clock.iso(clock.now_ms())
            write_private_text(partial / "manifest.json", json.dumps(manifest, indent=2))
            with open(partial / "manifest.json", "rb+") as handle:
                os.fsync(handle.fileno())
            fsync_dir(partial)
            os.rename(partial, root / name)
            fsync_dir(root)
        except Exception as exc:
            shutil.rmtree(partial, ignore_errors=True)
            count_outcome(trigger, "failed")
            log.error("snapshot %s failed, earlier generations kept: %s", name, exc)
            raise SnapshotError(f"snapshot failed: {exc}", disk_full=_is_disk_full(exc)) from exc
        count_outcome(trigger, "ok")
        log.info("snapshot %s written (%s records)", name,
                 sum(f["records"] for f in manifest["files"].values()))
        _prune(data_dir, keep)
        return manifest


def generations(data_dir: str) -> list[Path]:
    """Complete generation directories, newest first. Only generation-shaped names
    count: anything else there (an operator's copy, `zzz/manifest.json`) is neither
    restored nor pruned."""
    root = snapshots_dir(data_dir)
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if GENERATION_NAME.fullmatch(p.name) and p.is_dir()
             and (p / "manifest.json").exists()]
    return sorted(found, key=lambda p: _order_key(p.name), reverse=True)


@contextmanager
def generations_unchanging(data_dir: str):
    """No snapshot is written on this host meanwhile (for rewriting kept generations)."""
    with _host_lock(snapshots_dir(data_dir), "manual"):
        yield


def read_manifest(generation: Path) -> dict:
    return json.loads((generation / "manifest.json").read_text())


def verify(generation: Path) -> list[str]:
    """Problems found in a generation: an empty list means every checksum matches."""
    try:
        manifest = read_manifest(generation)
    except (OSError, ValueError) as exc:
        return [f"manifest.json unreadable: {exc}"]
    if manifest.get("format_version") != FORMAT_VERSION:
        return [f"unknown format_version {manifest.get('format_version')!r}"]
    problems = []
    for file_name, _sources, _restored in FILES:
        expected = manifest.get("files", {}).get(file_name)
        path = generation / file_name
        if expected is None and file_name in ADDED_LATER and not path.exists():
            continue
        if expected is None or not path.exists():
            problems.append(f"{file_name}: missing")
        elif sha256_of(path) != expected.get("sha256"):
            problems.append(f"{file_name}: checksum mismatch")
    return problems


def _prune(data_dir: str, keep: int) -> None:
    """Keep the `keep` newest generations; the one just written is the newest (its
    name sorts last, see _generation_name). Call under the host lock."""
    for generation in generations(data_dir)[keep:]:
        shutil.rmtree(generation, ignore_errors=True)
    for leftover in snapshots_dir(data_dir).glob("*.partial"):  # from a crash mid-write (the host lock is ours)
        shutil.rmtree(leftover, ignore_errors=True)


def set_aside(generation: Path) -> Path:
    """Rename a corrupt generation out of the way (kept for inspection, never deleted)."""
    target = generation.with_name(generation.name + ".corrupt")
    os.rename(generation, target)
    return target
