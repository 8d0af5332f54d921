"""Counting each order event in the sales statistics once, whatever fails in between.

An event (created, completed, cancelled) is marked on the order in the same write that
makes it happen: `uncounted.<event>` = TO_TOTALS, and `uncounted_at`. It is then added to
the all-time totals (mark TO_DAY), then to its day (mark DONE), each step recorded on
the order right after it. A request cut off in between (a database hiccup answered
503, a crash) leaves the mark, and the hourly upkeep finishes the count from the step
it stopped at, once GRACE_MS has passed (so it never races the request itself).

The window left: a step whose $inc the database applied but whose mark was never
written (the process died in between, or the request's database deadline ran out
after the server had applied it) is counted twice. `flask --app app stats rebuild`
recounts from the orders.
"""
from models.collections import scoped
from models.order import Order
from services import clock
from services.commerce import sales_stats

TO_TOTALS, TO_DAY, DONE = 2, 1, 0
EVENTS = ("created", "completed", "cancelled")
GRACE_MS = 5 * 60_000  # far longer than any request may run (gunicorn's timeout is 30 s)


def nothing_uncounted() -> dict:
    """The marks of an order none of whose events awaits counting."""
    return {"uncounted": {event: DONE for event in EVENTS}, "uncounted_at": 0}


def marked(event: str, now: int, marks: dict | None) -> dict:
    """The $set fields that mark `event` as to be counted (with the write that makes it
    happen); `marks` are the order's current ones (None: stored before marks existed)."""
    if marks is None:
        return {"uncounted": {**nothing_uncounted()["uncounted"], event: TO_TOTALS}, "uncounted_at": now}
    return {f"uncounted.{event}": TO_TOTALS, "uncounted_at": now}


def count(order: dict, event: str, step: int = TO_TOTALS) -> None:
    """Add `event` of `order` to the statistics from `step` on, marking each step done."""
    incs = sales_stats.increments(order, event)
    if step == TO_TOTALS:
        sales_stats.add_counts(None, incs)
        _mark(order["_id"], event, TO_DAY)
    sales_stats.add_counts(sales_stats.event_day(order, event), incs)
    # Done; and nothing left to count on this order unless another event is pending.
    others_done = {f"uncounted.{other}": DONE for other in EVENTS if other != event}
    if not _mark(order["_id"], event, DONE, only_if=others_done, also={"uncounted_at": 0}):
        _mark(order["_id"], event, DONE)


def _mark(order_id: str, event: str, step: int, only_if: dict | None = None, also: dict | None = None) -> bool:
    return bool(scoped(Order).update_one({"_id": order_id, **(only_if or {})},
                                         {"$set": {f"uncounted.{event}": step, **(also or {})}}).matched_count)


def count_leftovers() -> int:
    """Finish the counts requests left unfinished (the current tenant); how many events."""
    finished = 0
    for order in scoped(Order).find({"uncounted_at": {"$gt": 0, "$lt": clock.now_ms() - GRACE_MS}}):
        for event in EVENTS:
            step = order.get("uncounted", {}).get(event, DONE)
            if step != DONE:
                count(order, event, step)
                finished += 1
    return finished
