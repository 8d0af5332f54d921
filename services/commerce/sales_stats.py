"""Sales statistics: `$inc` on every order event, read per tenant-local day.

An order counts in `orders` on the day it was created; `completed`, `cancelled` and
revenue count on the day of the transition. Each event adds the same increments to
the all-time totals and to its day's bucket; `increments` is also what the rebuild
replays, so rebuilt figures equal incremental ones by construction.
"""
import re
from datetime import date, timedelta

from pymongo.errors import DuplicateKeyError

from models.collections import scoped
from models.sales_stats import SalesDay, SalesTotal
from services import clock, money

COUNTERS = ("orders", "completed", "cancelled", "revenue")
TYPE_COUNTERS = ("orders", "completed", "revenue")
EMPTY = {**{name: 0 for name in COUNTERS}, "by_product_type": {}}


def safe_type(name: str) -> str:
    """A product type from outside the API (legacy files) made a safe field name, as
    the API's validation requires: letters, digits, space, _ and -, at most 64."""
    cleaned = re.sub(r"[^A-Za-z0-9 _-]", "_", name).strip()[:64]
    if not cleaned:
        return "unknown"
    return cleaned if cleaned[0].isalnum() else ("x" + cleaned)[:64]


def oldest_kept_day(tz: str, retention_days: int) -> date:
    """Buckets of this day and later are kept and shown: today plus retention-1 before."""
    return date.fromisoformat(clock.local_day(clock.now_ms(), tz)) - timedelta(days=retention_days - 1)


def revenue_by_type(order: dict, revenue: int) -> dict[str, int]:
    """The revenue split over the items in proportion to their totals, summed per type
    (nothing for an order without items: its revenue still counts in the totals)."""
    if not order["items"]:
        return {}
    shares = money.split(revenue, [item["total"] for item in order["items"]])
    by_type: dict[str, int] = {}
    for item, share in zip(order["items"], shares):
        by_type[item["product_type"]] = by_type.get(item["product_type"], 0) + share
    return by_type


def event_day(order: dict, event: str) -> str:
    """The tenant-local day `event` of `order` is counted on."""
    return order["created_day"] if event == "created" else order["closed_day"]


def increments(order: dict, event: str) -> dict[str, int]:
    """The `$inc` document of one event: created, completed or cancelled.

    Every touched product type gets all three of its counters (zeros included), so a
    bucket's shape depends only on the events it holds.
    """
    counts = {"orders": int(event == "created"), "completed": int(event == "completed"),
              "cancelled": int(event == "cancelled"),
              # Bounded per order, so all-time sums stay within 64 bits (services.money).
              "revenue": money.check_order_amount(order["revenue"]) if event == "completed" else 0}
    if event == "cancelled":
        return counts
    revenues = revenue_by_type(order, order["revenue"]) if event == "completed" else {}
    for product_type in dict.fromkeys(item["product_type"] for item in order["items"]):
        prefix = f"by_product_type.{product_type}"
        counts[f"{prefix}.orders"] = int(event == "created")
        counts[f"{prefix}.completed"] = int(event == "completed")
        counts[f"{prefix}.revenue"] = revenues.get(product_type, 0)
    return counts


def _increment(collection, key: dict, incs: dict) -> None:
    # nx-27017 stores dotted `$inc` paths of an upsert's insert as literal field names,
    # so the bucket is created empty first and incremented as an existing document.
    if collection.update_one(key, {"$inc": incs}).matched_count:
        return
    try:
        collection.update_one(key, {"$setOnInsert": EMPTY}, upsert=True)
    except DuplicateKeyError:
        pass  # a concurrent event created it
    collection.update_one(key, {"$inc": incs})


def _wire_counters(bucket: dict | None) -> dict:
    bucket = bucket or EMPTY
    figures = {name: bucket.get(name, 0) for name in COUNTERS}
    figures["by_product_type"] = {
        product_type: {name: values.get(name, 0) for name in TYPE_COUNTERS}
        for product_type, values in sorted((bucket.get("by_product_type") or {}).items())}
    return figures


def read_stats(tz: str, retention_days: int, first: date | None, last: date | None) -> dict:
    """All-time totals and one entry per day of [first, last] within retention, oldest first.

    Defaults: the whole retention window. Days before it are never shown (even before
    the prune job removes them), nor days after today.
    """
    oldest = oldest_kept_day(tz, retention_days)
    today = oldest + timedelta(days=retention_days - 1)
    first = max(first or oldest, oldest)
    last = min(last or today, today)
    found = {}
    if first <= last:
        query = {"date": {"$gte": first.isoformat(), "$lte": last.isoformat()}}
        found = {bucket["date"]: bucket for bucket in scoped(SalesDay).find(query)}
    daily = []
    for offset in range((last - first).days + 1):
        day = (first + timedelta(days=offset)).isoformat()
        daily.append({"date": day, **_wire_counters(found.get(day))})
    return {"totals": _wire_counters(scoped(SalesTotal).find_one({})), "daily": daily}


def prune_days(tz: str, retention_days: int) -> int:
    """Delete the current tenant's daily buckets older than retention; returns how many."""
    return scoped(SalesDay).delete_many({"date": {"$lt": oldest_kept_day(tz, retention_days).isoformat()}})


def add_counts(day: str | None, incs: dict) -> None:
    """Add counts to the all-time totals (day None) or to one day's bucket."""
    if day is None:
        _increment(scoped(SalesTotal), {}, incs)
    else:
        _increment(scoped(SalesDay), {"date": day}, incs)
