"""Leases in the database, so one process among all workers and hosts does a job.

`claim_slot` gives each interval of a periodic job to exactly one caller: the first
conditional update (or insert) for that slot wins, every other caller sees it taken.
`hold` is a renewable lease for longer work; if its holder crashes it lapses at
`expires_at` and another process can take it. A process stopping gracefully hands its
held leases back (`hand_back`), so a rolling restart does not leave their work waiting
for the lease period; a job marks the time it works under a lease with `working`, and a
lease is never handed back while its job is still at work.
"""
import contextlib
import os
import socket
import threading
import time

from pymongo.errors import DuplicateKeyError

from models.collections import GlobalCollection
from models.lease import Lease
from services import clock


def _leases():
    return GlobalCollection(Lease)


_held: set[str] = set()  # held leases this process took and has not released
_working: set[str] = set()  # the names jobs work under through `working` (the ones handed back)
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()
_stopping = False  # set by hand_back: this process takes and renews no held lease any more


def _lock(name: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(name, threading.Lock())


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"  # after a fork the pid differs


def claim_slot(name: str, slot: int) -> bool:
    """True for exactly one caller per (name, slot)."""
    claimed = {"slot": slot, "holder": holder_id(), "expires_at": 0}
    if _leases().update_one({"_id": name, "slot": {"$lt": slot}}, {"$set": claimed}).matched_count:
        return True
    try:
        _leases().insert_one({"_id": name, **claimed})
        return True
    except DuplicateKeyError:
        return False


def hold(name: str, ttl_ms: int, holder: str | None = None) -> bool:
    """Take or renew the lease `name` for `ttl_ms`; False while another live holder has
    it, or once this process is stopping. `holder`: who holds it, if not this process
    (e.g. a host and its DATA_DIR, so that a restart of the same service may renew it)."""
    if _stopping:
        return False
    now, me = clock.now_ms(), holder or holder_id()
    taken = {"holder": me, "expires_at": now + ttl_ms}
    if _leases().update_one({"_id": name, "holder": me}, {"$set": taken}).matched_count:
        _held.add(name)
        return True
    if _leases().update_one({"_id": name, "expires_at": {"$lt": now}}, {"$set": taken}).matched_count:
        _held.add(name)
        return True
    try:
        _leases().insert_one({"_id": name, "slot": 0, **taken})
        _held.add(name)
        return True
    except DuplicateKeyError:
        return False


def held_by_other(name: str) -> bool:
    """One read: whether another process holds the live lease `name` (a cheap look before
    `hold`, which takes up to three commands to find that out)."""
    lease = _leases().find_one({"_id": name})
    return lease is not None and lease.get("holder") != holder_id() and lease.get("expires_at", 0) >= clock.now_ms()


def still_held(name: str) -> bool:
    """Whether this process took `name` and has neither released it nor begun stopping."""
    return name in _held and not _stopping


def release(name: str, holder: str | None = None) -> None:
    _leases().update_one({"_id": name, "holder": holder or holder_id()}, {"$set": {"expires_at": 0}})
    _held.discard(name)


@contextlib.contextmanager
def working(name: str):
    """A job's run under the held lease `name` (taken inside with `hold`): `hand_back`
    waits for it to end before giving the lease back."""
    _working.add(name)
    with _lock(name):
        yield


def hand_back(wait_s: float, settled: dict | None = None) -> list[str]:
    """At a graceful stop, once no new job can start: release the held leases this
    process took for jobs run through `working`, so another process takes their work at
    its next tick rather than after the lease period. From now on this process takes and
    renews none (a long job still at work stops at its next renewal). A job still at work
    after `wait_s` keeps its lease: it lapses at its end, as after a crash; so does one
    whose `settled[name]()` (work its job left running beyond its run, asked once the
    job is over) says False. The names handed back."""
    global _stopping
    _stopping = True
    handed = []
    deadline = time.monotonic() + wait_s
    for name in sorted(_held & _working):
        lock = _lock(name)
        if lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            try:
                if settled is None or name not in settled or settled[name]():
                    release(name)
                    handed.append(name)
            finally:
                lock.release()
    return handed
