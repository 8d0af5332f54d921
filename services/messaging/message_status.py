"""Delivery status: integer ranks that only move forward; `failed` is final.

pending < sent < delivered < read < played, and failed above them all, so the current
status is the highest rank ever received: `$max` applies it atomically in the
database and any arrival order ends in the same state. Each status's time is the
earliest one reported for it (`$min` on `status_times.<status>`), so the history is
order-independent too, bounded (one entry per status), and a repeated delivery of
the same status changes nothing.
"""
from models.message import RANK


def initial_fields(status: str, at_ms: int) -> dict:
    """The status fields of a newly stored message."""
    return {"status_rank": RANK[status], "status_times": {status: at_ms}}


def status_update(status: str, at_ms: int, now_ms: int, error: str | None = None) -> dict:
    """The atomic update that records `status` received at `at_ms`."""
    update = {"$max": {"status_rank": RANK[status]},
              "$min": {f"status_times.{status}": at_ms},
              "$set": {"updated_at": now_ms}}
    if status == "failed" and error:
        update["$set"]["error"] = error
    return update
