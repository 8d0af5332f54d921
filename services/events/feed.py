"""GET /api/v1/events: a tenant's events, oldest first, from a cursor.

Only events older than event_log.settle_ms() are shown: by then every write that could
still commit an event before that point has committed or failed (docs/EVENTS.md), so a
reader that follows `next_cursor` never skips one. The cursor is the position after
the last item, bound to its tenant: another tenant's cursor is refused like a
malformed one, saying nothing about whose it is.
"""
import hashlib

from models.collections import scoped
from models.event import Event
from models.tenancy import current_tenant_id
from services import clock
from services.events import event_data, event_log
from services.pagination import InvalidCursor, decode_cursor, encode_cursor

START = ""  # before every position


def _tenant_tag() -> str:
    return hashlib.sha256(f"events\0{current_tenant_id()}".encode()).hexdigest()[:16]


def cursor_at(position: str) -> str:
    return encode_cursor([position, _tenant_tag()])


def position_of(cursor: str | None) -> str:
    if cursor is None:
        return START
    position, tag = decode_cursor(cursor, 2, field="after")
    if not (isinstance(position, str) and tag == _tenant_tag()):
        raise InvalidCursor("cursor is not one this service issued", field="after")
    return position


def horizon(now_ms: int | None = None) -> str:
    """Positions below this are settled: no event can still appear among them."""
    return f"{(clock.now_ms() if now_ms is None else now_ms) - event_log.settle_ms():013d}"


def read_feed(after: str | None, types: list[str], limit: int) -> dict:
    """{items (stored events), next_cursor}; `next_cursor` is never None."""
    start = position_of(after)
    query = {"pos": {"$gt": start, "$lt": horizon()}}
    if types:
        query["type"] = {"$in": sorted(set(types))}
    items = event_data.resolved(list(scoped(Event).find(query, sort=[("pos", 1)], limit=limit)))
    return {"items": items, "next_cursor": cursor_at(items[-1]["pos"]) if items else (after or cursor_at(START))}
