"""Keyset pagination on a stable, unique sort key (of strings and integers).

A page's cursor holds the sort-key values of its last item, so the next page starts
strictly after it: items arriving meanwhile never make a page repeat or skip one, and
every page costs one indexed query (plus one count when a total is asked for).

A total is counted up to TOTAL_CAP: past it, `total` says TOTAL_CAP and `total_capped`
is true, so asking for a total never reads more than TOTAL_CAP + 1 index entries
however large the tenant (GitHub's search caps `total_count` the same way).
"""
import base64
import binascii
import json

ASC, DESC = 1, -1
NEWEST_FIRST = [("created_at", DESC), ("_id", DESC)]  # messages, orders: a unique sort key
TOTAL_CAP = 10_000


class InvalidCursor(ValueError):
    """A cursor this service did not produce; `field` names the parameter that carried it."""

    def __init__(self, message: str, field: str = "cursor"):
        super().__init__(message)
        self.field = field


def encode_cursor(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, width: int, field: str = "cursor") -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidCursor("cursor is not one this service issued", field) from None
    if (not isinstance(values, list) or len(values) != width
            or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values)):
        raise InvalidCursor("cursor is not one this service issued", field)
    return values


def after(sort: list[tuple[str, int]], values: list) -> dict:
    """The filter for items strictly after `values` in `sort` order."""
    branches = []
    for i, (field, direction) in enumerate(sort):
        branch = {f: v for (f, _), v in zip(sort[:i], values[:i])}
        branch[field] = {"$gt" if direction == ASC else "$lt": values[i]}
        branches.append(branch)
    return branches[0] if len(branches) == 1 else {"$or": branches}


def fetch_page(collection, query: dict, sort: list[tuple[str, int]], limit: int,
               cursor: str | None = None, include_total: bool = False) -> dict:
    """One page of `collection` (a ScopedCollection) as {items, next_cursor, total?}."""
    page_query = dict(query)
    if cursor:
        extra = after(sort, decode_cursor(cursor, len(sort)))
        page_query = {**query, **extra} if not set(query) & set(extra) else {"$and": [query, extra]}
    docs = list(collection.find(page_query, sort=sort, limit=limit + 1))
    more = len(docs) > limit
    docs = docs[:limit]
    page = {"items": docs,
            "next_cursor": encode_cursor([docs[-1][f] for f, _ in sort]) if more else None}
    if include_total:
        counted = collection.count(query, limit=TOTAL_CAP + 1)
        page["total"], page["total_capped"] = min(counted, TOTAL_CAP), counted > TOTAL_CAP
    return page


def oldest_first(collection, query: dict, size: int, position: tuple | None = None, projection=None):
    """`collection`'s documents matching `query` in batches of up to `size`, oldest first
    by (created_at, _id), strictly after `position` (created_at, _id) when given; memory
    holds one batch. Each read is one range on created_at and the tie is skipped here:
    with an $or for the tie nx-27017 reads every document of the tenant."""
    created = query.get("created_at", {})

    def read(low: dict, extra: dict | None = None, limit: int = size) -> list:
        return list(collection.find({**query, "created_at": {**created, **low}, **(extra or {})},
                                    sort=[("created_at", ASC), ("_id", ASC)], limit=limit, projection=projection))
    while True:
        if position is None:
            batch = read({})
            full = len(batch) == size
        else:  # the documents at `position` come again: read one more, skip them
            raw = read({"$gte": position[0]}, limit=size + 1)
            batch = [d for d in raw if (d["created_at"], d["_id"]) > position][:size]
            full = len(raw) == size + 1
            if raw and not batch:  # a whole batch in position's millisecond: on within it, then after it
                batch = read({}, {"created_at": position[0], "_id": {"$gt": position[1]}}) or read({"$gt": position[0]})
                full = bool(batch)
        if batch:
            position = (batch[-1]["created_at"], batch[-1]["_id"])
            yield batch
        if not full:
            return
