"""Recompute sales statistics from the orders (`flask --app app stats rebuild`).

It replays the events each order records (created; then completed or cancelled) with
the same `increments` the live path uses, on the days stored in the order, so the
result is exactly what counting every event once would have produced. Figures that
came from an older bot's sales_stats.json (legacy import) are added back as they were
imported; the orders imported with them are not counted again, except a completion or
cancellation that happened here. Run it when no
orders are being written: an event counted during a rebuild may be overwritten.

The upkeep may be finishing interrupted counts meanwhile: the rebuild first claims
every order with an event not fully counted (waiting for an upkeep that holds some),
so the upkeep leaves them alone until the rebuild has counted them and marked them done.
"""
import json

from models.collections import scoped
from models.legacy_import import LegacyImport
from models.order import Order
from models.sales_stats import SalesDay, SalesTotal
from services.commerce import order_counting, sales_stats

ORDER_FIELDS = {"items": 1, "status": 1, "revenue": 1, "created_day": 1, "closed_day": 1, "imported": 1}


def _add(bucket: dict, incs: dict) -> None:
    for path, amount in incs.items():
        *parents, leaf = path.split(".")
        target = bucket
        for name in parents:
            target = target.setdefault(name, {})
        target[leaf] = target.get(leaf, 0) + amount


def _new_bucket() -> dict:
    return {**sales_stats.EMPTY, "by_product_type": {}}


def replay_orders() -> tuple[dict | None, dict[str, dict]]:
    """(totals or None when there are no orders, {day: bucket}) from the current tenant's orders."""
    totals, days = None, {}
    for order in scoped(Order).find({}, projection=ORDER_FIELDS):
        # An imported order's creation (and a close it was imported with) is in the
        # imported statistics; a close that happened here has its closed_day.
        events = [] if order.get("imported") else ["created"]
        if order["status"] in ("completed", "cancelled") and order.get("closed_day"):
            events.append(order["status"])
        for event in events:
            incs = sales_stats.increments(order, event)
            totals = totals or _new_bucket()
            _add(totals, incs)
            _add(days.setdefault(sales_stats.event_day(order, event), _new_bucket()), incs)
    return totals, days


def add_imported(totals: dict | None, days: dict[str, dict]) -> dict | None:
    """Add the counts of every imported legacy statistics file."""
    for imported in scoped(LegacyImport).find({"file_name": "sales_stats.json"}, projection={"counts_json": 1}):
        counts = json.loads(imported.get("counts_json") or "{}")
        if counts.get("totals"):
            totals = totals or _new_bucket()
            _add(totals, counts["totals"])
        for day, incs in counts.get("daily", {}).items():
            _add(days.setdefault(day, _new_bucket()), incs)
    return totals


def rebuild_stats(tz: str, retention_days: int) -> dict:
    """Replace the current tenant's totals and kept daily buckets; returns counts."""
    claimer = order_counting.new_claimer(rebuild=True)
    order_counting.hold_uncounted(claimer)
    totals, days = replay_orders()
    totals = add_imported(totals, days)
    if totals is None:
        scoped(SalesTotal).delete_many({})
    else:
        scoped(SalesTotal).update_one({}, {"$set": totals}, upsert=True)
    oldest = sales_stats.oldest_kept_day(tz, retention_days).isoformat()
    kept = {day: bucket for day, bucket in days.items() if day >= oldest}
    for day, bucket in kept.items():
        scoped(SalesDay).update_one({"date": day}, {"$set": bucket}, upsert=True)
    stale = [b["date"] for b in scoped(SalesDay).find({}, projection={"date": 1}) if b["date"] not in kept]
    if stale:
        scoped(SalesDay).delete_many({"date": {"$in": stale}})
    # Every event is in the figures now: an interrupted count must not be finished again.
    order_counting.release_held(claimer)
    return {"days": len(kept), "removed": len(stale), "orders": totals["orders"] if totals else 0}
