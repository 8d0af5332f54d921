"""Orders: created once per external order id, pending -> completed | cancelled.

Each event is counted in the sales statistics once. Creation is insert-first (the
unique external order id decides between racing duplicates) and a transition is one
conditional update on `status: pending`: only the request whose write happened counts
it; a repeat, or the loser of a race, finds the order already moved. The write marks
the event as uncounted, so a count cut off by a failure is finished later
(services.commerce.order_counting).
"""
from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from models.collections import scoped
from models.order import Order
from services import clock, money
from services.commerce import order_counting
from services.errors import Conflict, found
from services.events import event_log
from services.pagination import NEWEST_FIRST, fetch_page

TIME_FIELD = {"completed": "completed_at", "cancelled": "cancelled_at"}


def _orders():
    return scoped(Order)


def order_item(product_type: str, sku, name, quantity: int, unit_price: int) -> dict:
    return {"product_type": product_type, "sku": sku, "name": name, "quantity": quantity,
            "unit_price": unit_price, "total": quantity * unit_price}


def order_document(external_order_id: str, recipient_phone: str, currency: str, items: list[dict],
                   created_at: int, tz: str, status: str = "pending", total: int | None = None) -> dict:
    """An order as stored; the total is its items' unless given (imported orders keep theirs)."""
    return {
        "_id": str(ObjectId()), "external_order_id": external_order_id, "recipient_phone": recipient_phone,
        "currency": currency, "items": items, "total": sum(i["total"] for i in items) if total is None else total,
        "revenue": None, "status": status, "created_day": clock.local_day(created_at, tz), "closed_day": None,
        "created_at": created_at, "updated_at": created_at, "completed_at": None, "cancelled_at": None,
        **order_counting.nothing_uncounted(),
    }


def create_order(fields: dict, tz: str) -> tuple[dict, bool]:
    """Store a pending order (amounts in minor units); returns (order, created).

    The same external_order_id again returns the stored order and counts nothing.
    """
    items = [order_item(item["product_type"], item.get("sku"), item.get("name"), item["quantity"],
                        item["unit_price"]) for item in fields["items"]]
    with event_log.deadline():
        now = clock.now_ms()
        order = {**order_document(fields["external_order_id"], fields["recipient_phone"], fields["currency"],
                                  items, now, tz),
                 **order_counting.marked("created", now, None),  # counted by the insert that creates it
                 **event_log.mark_on_insert("created", now)}
        try:
            _orders().insert_one(order)
        except DuplicateKeyError:
            return get_by_external_id(fields["external_order_id"]), False
        event_log.record("order", "created", now, order)
    order_counting.count(order, "created")
    return order, True


def get_order(order_id: str) -> dict:
    return found(_orders().find_one({"_id": order_id}), f"no order '{order_id}'")


def get_by_external_id(external_order_id: str) -> dict:
    return found(_orders().find_one({"external_order_id": external_order_id}),
                 f"no order with external_order_id '{external_order_id}'")


def complete_order(order_id: str, revenue: int | None, tz: str) -> dict:
    """Complete a pending order; revenue defaults to its total. Completing again changes nothing."""
    order = get_order(order_id)
    revenue = order["total"] if revenue is None else revenue
    if order["status"] == "pending" and revenue > money.MAX_TOTAL_MINOR:  # an order imported before the bound
        raise Conflict(f"order '{order_id}' has a total over {money.MAX_TOTAL_TEXT}, more than the statistics "
                       f"can count; send its revenue (at most {money.MAX_TOTAL_TEXT})")
    return _transition(order, "completed", tz, {"revenue": revenue})


def cancel_order(order_id: str, tz: str) -> dict:
    """Cancel a pending order. Cancelling again changes nothing."""
    return _transition(get_order(order_id), "cancelled", tz, {})


def _transition(order: dict, target: str, tz: str, extra: dict) -> dict:
    if order["status"] == "pending":
        with event_log.deadline():
            now = clock.now_ms()
            changes = {"status": target, TIME_FIELD[target]: now, "closed_day": clock.local_day(now, tz),
                       "updated_at": now, **extra, **order_counting.marked(target, now, order.get("uncounted")),
                       **event_log.mark(target, now)}
            moved = _orders().find_one_and_update({"_id": order["_id"], "status": "pending"}, {"$set": changes})
            if moved is not None:
                event_log.record("order", target, now, moved)
        if moved is not None:
            order_counting.count(moved, target)
            return moved
        order = get_order(order["_id"])  # another request moved it first
    if order["status"] != target:
        raise Conflict(f"order '{order['_id']}' is {order['status']}; it cannot become {target}")
    return order


def list_orders(status: str | None, limit: int, cursor: str | None, include_total: bool) -> dict:
    """Newest first, optionally only those with one status."""
    query = {"status": status} if status else {}
    return fetch_page(_orders(), query, NEWEST_FIRST, limit, cursor, include_total)
