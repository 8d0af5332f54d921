"""Leases in the database, so one process among all workers and hosts does a job.

`claim_slot` gives each interval of a periodic job to exactly one caller: the first
conditional update (or insert) for that slot wins, every other caller sees it taken.
`hold` is a renewable lease for longer work; if its holder crashes it lapses at
`expires_at` and another process can take it.
"""
import os
import socket

from pymongo.errors import DuplicateKeyError

from models.collections import GlobalCollection
from models.lease import Lease
from services import clock


def _leases():
    return GlobalCollection(Lease)


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


def hold(name: str, ttl_ms: int) -> bool:
    """Take or renew the lease `name` for `ttl_ms`; False while another live holder has it."""
    now, me = clock.now_ms(), holder_id()
    taken = {"holder": me, "expires_at": now + ttl_ms}
    if _leases().update_one({"_id": name, "holder": me}, {"$set": taken}).matched_count:
        return True
    if _leases().update_one({"_id": name, "expires_at": {"$lt": now}}, {"$set": taken}).matched_count:
        return True
    try:
        _leases().insert_one({"_id": name, "slot": 0, **taken})
        return True
    except DuplicateKeyError:
        return False


def release(name: str) -> None:
    _leases().update_one({"_id": name, "holder": holder_id()}, {"$set": {"expires_at": 0}})
