"""Importing an older bot's JSON files (chat_sessions.json, sales_stats.json,
pending_orders.json) into one tenant. Safe to run twice: sessions and orders are
keyed by phone and order id, and a statistics file is recognised by its content hash.

The older bot rewrites sales_stats.json (cumulative totals, 90 days) on every order,
so a newer copy of it replaces the figures of the one imported before: only the
difference is added, and migrating twice (a trial run, then the final one) counts
every sale once. A statistics import cut off midway is finished by running it again:
the import record keeps what it replaces and marks each day and the totals done as it
adds them (one applied but not yet marked is added twice, as with orders; `stats
rebuild` repairs that). Field names are those of the TechAura bot's statsPersistence.ts
(totals.allTimeOrders/allTimeCompleted/allTimeRevenue, daily[].totalRevenue) and of
similar bots (totalOrders, completedOrders, revenue).

Each import returns a report: {"imported": n, "skipped": [(what, why), ...]}, and
the statistics import also "notes": [...].
"""
import hashlib
import json
import math
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pymongo.errors import DuplicateKeyError

from models.chat_session import ChatSession, encode_state
from models.collections import scoped
from models.legacy_import import LegacyImport
from models.order import Order
from services import clock
from services.commerce import sales_stats
from services.commerce.orders import order_document, order_item
from services.money import INT64_MAX, MAX_IMPORTED_MINOR, MAX_TOTAL_MINOR, MAX_TOTAL_TEXT
from services.phones import InvalidPhone, normalize_phone
from services.privacy import ledger

LEGACY_SESSION_TTL_H = 24  # what the older bots kept
# Amounts in strings: ASCII digits only. Decimal() also reads "٣" and fullwidth digits,
# and "1e999999" overflows when scaled (decimal.Overflow, which stopped the import).
ASCII_AMOUNT = re.compile(r"[0-9]{1,20}(?:\.[0-9]{1,20})?")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _entries(data) -> list:
    if isinstance(data, dict):
        return list(data.values())
    return data if isinstance(data, list) else []


def _epoch_ms(value) -> int | None:
    """Epoch ms or ISO 8601 as epoch ms; None for anything else or outside 1970-3000."""
    ms = None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < math.inf:
        ms = int(value)  # json.loads reads Infinity, which int() refuses
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            ms = clock.to_ms(moment)  # naive means UTC there
        except (ValueError, OverflowError):
            return None
    return ms if ms is not None and clock.EARLIEST_MS < ms < clock.LATEST_MS else None


def _minor(value, limit: int = MAX_TOTAL_MINOR) -> int | None:
    """A JSON number or numeric string of money as hundredths (old files used floats);
    None for anything else, NaN, infinities and amounts past `limit` (one order's
    amounts: MAX_TOTAL_MINOR; a statistics file's figures: MAX_IMPORTED_MINOR)."""
    if isinstance(value, str):
        value = value.strip() if ASCII_AMOUNT.fullmatch(value.strip()) else None
    try:
        amount = Decimal(str(value)) if isinstance(value, (int, float, str)) and not isinstance(value, bool) \
            else None
    except InvalidOperation:
        return None
    if amount is None or not amount.is_finite() or not 0 <= amount * 100 <= limit:
        return None
    return int((amount * 100).quantize(Decimal(1)))


def _first(mapping: dict, *names):
    """The value of the first of `names` present in `mapping` (older bots differ)."""
    return next((mapping[name] for name in names if name in mapping), None)


def _valid_entries(data, required: tuple, report: dict):
    """(label, entry, phone) for each entry with the required fields and a valid
    recipientPhone; the others are added to report["skipped"] with the reason."""
    for n, entry in enumerate(_entries(data)):
        entry = entry if isinstance(entry, dict) else {}
        label = f"entry {n} ({entry.get(required[0], '?')})"
        missing = [f for f in required if not entry.get(f)]
        if missing:
            report["skipped"].append((label, f"missing {', '.join(missing)}"))
            continue
        try:
            phone = normalize_phone(str(entry["recipientPhone"]))
        except InvalidPhone as exc:
            report["skipped"].append((label, f"recipientPhone {exc}"))
            continue
        yield label, entry, phone


def _insert_once(document_class, document: dict, label: str, if_present: str, report: dict) -> None:
    """Insert unless its unique key exists already: what makes a second run harmless."""
    try:
        scoped(document_class).insert_one(document)
        report["imported"] += 1
    except DuplicateKeyError:
        report["skipped"].append((label, if_present))


def import_chat_sessions(data) -> dict:
    report, now = {"imported": 0, "skipped": []}, clock.now_ms()
    for label, entry, phone in _valid_entries(data, ("recipientPhone", "lastActivity"), report):
        last_activity = _epoch_ms(entry["lastActivity"])
        if last_activity is None or last_activity <= now - LEGACY_SESSION_TTL_H * clock.HOUR_MS:
            report["skipped"].append((label, "older than 24 h" if last_activity else "bad lastActivity"))
            continue
        if last_activity > now + clock.CLOCK_SKEW_MS:  # it would never expire
            report["skipped"].append((label, "lastActivity is in the future"))
            continue
        if ledger.erased_before([phone], last_activity):
            report["skipped"].append((label, "this contact was erased"))
            continue
        state = {k: v for k, v in entry.items() if k not in ("recipientPhone", "lastActivity")}
        document = {"phone": phone, "state_json": encode_state(state), "last_activity": last_activity,
                    "created_at": now, "updated_at": now}
        _insert_once(ChatSession, document, label, "a session for this phone exists already", report)
    return report


def _product_counts(types) -> dict:
    counts = {}
    for product_type, value in (types or {}).items() if isinstance(types, dict) else []:
        if isinstance(value, dict):
            orders = _first(value, "orders", "totalOrders")
            completed = _first(value, "completed", "completedOrders")
            revenue = _minor(value.get("revenue", 0), MAX_IMPORTED_MINOR) or 0
        else:
            orders, completed, revenue = value, 0, 0
        prefix = f"by_product_type.{sales_stats.safe_type(product_type)}"
        counts.update({f"{prefix}.orders": _count(orders), f"{prefix}.completed": _count(completed),
                       f"{prefix}.revenue": revenue})
    return counts


def _count(value) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 2**53 else 0


def _bucket_counts(bucket: dict) -> dict:
    return {"orders": _count(_first(bucket, "totalOrders", "allTimeOrders")),
            "completed": _count(_first(bucket, "completedOrders", "allTimeCompleted")),
            "cancelled": _count(_first(bucket, "cancelledOrders", "allTimeCancelled")),
            "revenue": _minor(_first(bucket, "revenue", "totalRevenue", "allTimeRevenue") or 0,
                              MAX_IMPORTED_MINOR) or 0,
            **_product_counts(bucket.get("productTypes"))}


def import_sales_stats(data, raw: bytes, tz: str, retention_days: int) -> dict:
    report = {"imported": 0, "skipped": []}
    data = data if isinstance(data, dict) else {}
    oldest = sales_stats.oldest_kept_day(tz, retention_days).isoformat()
    counts = {"totals": _bucket_counts(data["totals"]) if isinstance(data.get("totals"), dict) else None,
              "daily": {}}
    for n, bucket in enumerate(data.get("daily") if isinstance(data.get("daily"), list) else []):
        day = bucket.get("date") if isinstance(bucket, dict) else None
        if not isinstance(day, str) or len(day) < 10:
            report["skipped"].append((f"daily[{n}]", "missing date"))
        elif not _is_date(day[:10]):  # it would become a day no query ever finds
            report["skipped"].append((f"daily[{n}] {day[:20]!r}", "not a date (YYYY-MM-DD)"))
        elif day[:10] < oldest:
            report["skipped"].append((f"daily[{n}] {day[:10]}", f"older than {retention_days} days"))
        else:
            counts["daily"][day[:10]] = _bucket_counts(bucket)
    key = {"file_name": "sales_stats.json", "sha256": hashlib.sha256(raw).hexdigest()}
    record = {**key, "imported_at": clock.now_ms(), "counts_json": json.dumps(counts), "applied": False}
    try:
        scoped(LegacyImport).insert_one(record)
    except DuplicateKeyError:  # imported already, unless an earlier run was cut off before the end
        record = scoped(LegacyImport).find_one(key)
        if record is None or record.get("applied", True):
            return {"imported": 0, "skipped": [("sales_stats.json", "this file was imported already")], "notes": []}
    replacing = _replace_earlier_imports(record)
    differences = {day: _difference(counts["daily"].get(day), replacing["daily"].get(day))
                   for day in sorted(set(counts["daily"]) | set(replacing["daily"])) if day >= oldest}
    differences[None] = _difference(counts["totals"], replacing["totals"])
    done = record.get("done") or {}
    for day, difference in differences.items():
        target = day or "totals"
        if difference and not done.get(target):  # a day the newer copy left as it was costs no write
            sales_stats.add_counts(day, difference)
            scoped(LegacyImport).update_one(key, {"$set": {f"done.{target}": True}})
    scoped(LegacyImport).update_one(key, {"$set": {"applied": True}})
    report["imported"] = len(counts["daily"]) + bool(counts["totals"])
    report["notes"] = [f"replaces the figures of the sales_stats.json imported at {clock.iso(at)}"
                       for at in replacing["imported_at"]]
    return report


def _replace_earlier_imports(record: dict) -> dict:
    """The figures of the earlier statistics imports `record` replaces, summed, with
    their import times. They are written into `record` before the earlier records are
    emptied (those stay, so importing an old file again is still recognised), so a run
    cut off after emptying them still knows on its rerun what it replaces."""
    key = {"file_name": "sales_stats.json", "sha256": record["sha256"]}
    earlier = [doc for doc in scoped(LegacyImport).find({"file_name": "sales_stats.json"})
               if doc["sha256"] != record["sha256"] and doc.get("counts_json", "{}") != "{}"]
    if record.get("replacing_json") is None:
        replacing = {**_sum_counts(json.loads(doc["counts_json"]) for doc in earlier),
                     "imported_at": [doc["imported_at"] for doc in earlier]}
        scoped(LegacyImport).update_one(key, {"$set": {"replacing_json": json.dumps(replacing)}})
    else:
        replacing = json.loads(record["replacing_json"])
    for doc in earlier:
        scoped(LegacyImport).update_one({"_id": doc["_id"]}, {"$set": {"counts_json": "{}"}})
    return replacing


def _sum_counts(all_counts) -> dict:
    total = {"totals": Counter(), "daily": defaultdict(Counter)}
    for counts in all_counts:
        total["totals"].update(counts.get("totals") or {})
        for day, incs in (counts.get("daily") or {}).items():
            total["daily"][day].update(incs)
    return total


def _difference(new: dict | None, old: dict | None) -> dict:
    """new - old, counter by counter, leaving out zeros."""
    new, old = new or {}, old or {}
    return {key: new.get(key, 0) - old.get(key, 0) for key in new.keys() | old.keys()
            if new.get(key, 0) != old.get(key, 0)}


def _is_date(text: str) -> bool:
    if not DAY.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
        return True
    except ValueError:  # 2026-02-30
        return False


class BadEntry(ValueError):
    """An entry to skip and report, with the reason."""


def _quantity(value) -> int:
    """An item's quantity: 1 when the older bot kept none; a whole number from 1 up."""
    if value is None:
        return 1
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadEntry(f"quantity {json.dumps(value)[:20]} is not a whole number from 1 up")
    return value


def _item(raw) -> dict:
    raw = raw if isinstance(raw, dict) else {}
    quantity = _quantity(raw.get("quantity"))
    unit_price = _minor(_first(raw, "unit_price", "unitPrice", "price") or 0) or 0
    product_type = raw.get("product_type") or raw.get("productType") or raw.get("type") or "unknown"
    return order_item(sales_stats.safe_type(str(product_type)), raw.get("sku"), raw.get("name"), quantity, unit_price)


def _items(entry: dict) -> list[dict]:
    """The entry's items; the TechAura bot kept one product per order at the top level
    (productType, capacity, no price), which becomes one item worth the entry's total."""
    if isinstance(entry.get("items"), list) and entry["items"]:
        items = []
        for n, raw in enumerate(entry["items"]):
            try:
                items.append(_item(raw))
            except BadEntry as exc:
                raise BadEntry(f"items[{n}]: {exc}") from None
        return items
    capacity = entry.get("capacity")
    return [_item({"productType": entry.get("productType"), "name": str(capacity) if capacity else None,
                   "price": entry.get("total", 0)})]


def import_pending_orders(data, tz: str) -> dict:
    """Orders as they were; statistics are not touched (they come from sales_stats.json)."""
    report, now = {"imported": 0, "skipped": []}, clock.now_ms()
    for label, entry, phone in _valid_entries(data, ("odooOrderId", "recipientPhone"), report):
        try:
            # (A total that is no amount at all gives way to the items' total.)
            if (_minor(entry.get("total"), limit=INT64_MAX) or 0) > MAX_TOTAL_MINOR:
                raise BadEntry(f"total {json.dumps(entry['total'])[:24]} is over {MAX_TOTAL_TEXT}")
            items = _items(entry)
        except BadEntry as exc:
            report["skipped"].append((label, str(exc)))
            continue
        created = _epoch_ms(entry.get("createdAt")) or now
        status = entry.get("status") if entry.get("status") in ("pending", "completed", "cancelled") else "pending"
        if ledger.erased_before([phone], created):  # the order is kept, its phone is not
            phone = None
        order = {**order_document(str(entry["odooOrderId"]), phone, "BRL", items, created, tz, status,
                                  total=_minor(entry.get("total"))),
                 "updated_at": now, "imported": True}
        if order["total"] > MAX_TOTAL_MINOR:  # its items' total: its completion could not be counted
            report["skipped"].append((label, f"total over {MAX_TOTAL_TEXT}"))
            continue
        _insert_once(Order, order, label, "an order with this odooOrderId exists already", report)
    return report


def import_directory(directory: Path, tz: str, retention_days: int) -> dict:
    """Import whichever of the three files `directory` holds; a report per file."""
    reports = {}
    for name in ("chat_sessions.json", "sales_stats.json", "pending_orders.json"):
        path = directory / name
        if not path.exists():
            continue
        raw = path.read_bytes()
        try:
            data = json.loads(raw)
        except ValueError as exc:
            reports[name] = {"imported": 0, "skipped": [(name, f"not valid JSON: {exc}")]}
            continue
        if name == "chat_sessions.json":
            reports[name] = import_chat_sessions(data)
        elif name == "sales_stats.json":
            reports[name] = import_sales_stats(data, raw, tz, retention_days)
        else:
            reports[name] = import_pending_orders(data, tz)
    return reports
