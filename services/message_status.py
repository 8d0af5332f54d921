"""Delivery status: integer ranks that only move forward; `failed` is final.

pending < sent < delivered < read < played, and failed above them all, so the current
status is the highest rank ever received: `$max` applies it atomically in the
database and any arrival order ends in the same state. Each status's time is the
earliest reported (`$min`), so it too is independent of order.
"""
STATUSES = ("pending", "sent", "delivered", "read", "played", "failed")
RANK = {"pending": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 9}
STATUS_OF_RANK = {rank: status for status, rank in RANK.items()}
TIME_FIELD = {"sent": "sent_at", "delivered": "delivered_at", "read": "read_at", "failed": "failed_at"}
HISTORY_LIMIT = 50  # the newest entries are kept; the status itself never depends on them


def history_entry(status: str, at_ms: int) -> str:
    return f"{status}@{at_ms}"


def parse_history(entries: list) -> list[dict]:
    parsed = []
    for entry in entries or []:
        status, _, at = str(entry).partition("@")
        if status in RANK and at.isdigit():
            parsed.append({"status": status, "at": int(at)})
    return parsed


def initial_fields(status: str, at_ms: int) -> dict:
    """The status fields of a newly stored message."""
    fields = {"status_rank": RANK[status], "status_history": [history_entry(status, at_ms)]}
    if status in TIME_FIELD:
        fields[TIME_FIELD[status]] = at_ms
    return fields


def status_update(status: str, at_ms: int, now_ms: int, error: str | None = None) -> dict:
    """The atomic update that records `status` received at `at_ms`."""
    update = {
        "$max": {"status_rank": RANK[status]},
        "$push": {"status_history": {"$each": [history_entry(status, at_ms)], "$slice": -HISTORY_LIMIT}},
        "$set": {"updated_at": now_ms},
    }
    if status in TIME_FIELD:
        update["$min"] = {TIME_FIELD[status]: at_ms}
    if status == "failed" and error:
        update["$set"]["error"] = error
    return update
