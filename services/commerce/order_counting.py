"""Counting each order event in the sales statistics once, whatever fails in between
and whoever else is counting at the same time.

An event (created, completed, cancelled) is marked on the order in the same write that
makes it happen: `uncounted.<event>` = TO_TOTALS, and `uncounted_at`. It is then added to
the all-time totals (mark TO_DAY), then to its day (mark DONE), each step recorded on
the order right after it. A request cut off in between (a database hiccup answered
503, a crash) leaves the mark, and the hourly upkeep finishes the count from the step
it stopped at, once GRACE_MS has passed (so it never races the request itself).

Anyone else who finishes counts (an upkeep run overlapping another, `stats rebuild`)
first claims the order with one compare-and-set: the marks and `uncounted_at` it read
must be unchanged and no live claim held (`counting_until` absent or past). Only the
claimer counts; every later mark is conditional on its claim (`counting_by`), so a
claimer that lost its claim stops. A claim lapses after CLAIM_MS, so the steps of a
claimer that crashed are finished by a later upkeep.

The window left: a step whose $inc the database applied but whose mark was never
written (the process died in between, or the request's database deadline ran out
after the server had applied it), or a claimer that stalls for longer than CLAIM_MS
between its claim and its $inc, is counted twice. `flask --app app stats rebuild`
recounts from the orders.
"""
import logging
import secrets
import time

from models.collections import scoped
from models.order import Order
from services import clock
from services.commerce import sales_stats

log = logging.getLogger(__name__)

TO_TOTALS, TO_DAY, DONE = 2, 1, 0
EVENTS = ("created", "completed", "cancelled")
GRACE_MS = 5 * 60_000  # far longer than any request may run (gunicorn's timeout is 30 s)
CLAIM_MS = 10 * 60_000  # far longer than finishing one order's counts takes (a few commands)


REBUILD_CLAIM_MS = 6 * 3600_000  # a rebuild reads every order of the tenant: it may take long
REBUILD_WAIT_S = 60  # how long a rebuild waits for an upkeep to finish the orders it holds
REBUILDER = "rebuild-"


class ClaimLost(Exception):
    """Another counter took the order over after this one's claim lapsed."""


class CountingBusy(RuntimeError):
    """Orders stayed claimed by another counter for longer than a rebuild waits."""


def nothing_uncounted() -> dict:
    """The marks of an order none of whose events awaits counting."""
    return {"uncounted": {event: DONE for event in EVENTS}, "uncounted_at": 0}


def marked(event: str, now: int, marks: dict | None) -> dict:
    """The $set fields that mark `event` as to be counted (with the write that makes it
    happen); `marks` are the order's current ones (None: stored before marks existed)."""
    if marks is None:
        return {"uncounted": {**nothing_uncounted()["uncounted"], event: TO_TOTALS}, "uncounted_at": now}
    return {f"uncounted.{event}": TO_TOTALS, "uncounted_at": now}


def new_claimer(rebuild: bool = False) -> str:
    """A claim owner of its own for one counting run (two runs in one process differ)."""
    return (REBUILDER if rebuild else "") + secrets.token_hex(8)


def claim(order: dict, claimer: str, until_ms: int) -> bool:
    """Compare-and-set: take `order` for `claimer` if it is exactly as read (marks,
    uncounted_at, claim) and no other claim on it is live. False: someone else counts it
    or has counted it since it was read."""
    held_until, holder = order.get("counting_until"), order.get("counting_by") or ""
    # A rebuild takes over a rebuild's claims: one that crashed must not block the next.
    taking_over = holder == claimer or (claimer.startswith(REBUILDER) and holder.startswith(REBUILDER))
    if held_until is not None and held_until >= clock.now_ms() and not taking_over:
        return False
    as_read = {"_id": order["_id"], "uncounted_at": order.get("uncounted_at"),
               # nx-27017 matches a missing field only with $exists, never with None.
               "counting_until": {"$exists": False} if held_until is None else held_until,
               **{f"uncounted.{event}": step for event, step in (order.get("uncounted") or {}).items()}}
    return bool(scoped(Order).update_one(as_read, {"$set": {"counting_by": claimer, "counting_until": until_ms}})
                .matched_count)


def count(order: dict, event: str, step: int = TO_TOTALS, claimer: str | None = None,
          release: bool = False) -> None:
    """Add `event` of `order` to the statistics from `step` on, marking each step done.

    With `claimer`, every mark requires the claim still to be its own (ClaimLost if
    not), and with `release` the last one gives the claim up; without, the caller's own
    write is the claim (a live request, which the upkeep leaves alone for GRACE_MS)."""
    held = {"counting_by": claimer} if claimer else {}
    release = {"counting_until": 0} if claimer and release else {}
    incs = sales_stats.increments(order, event)
    if step == TO_TOTALS:
        sales_stats.add_counts(None, incs)
        if not _mark(order["_id"], event, TO_DAY, only_if=held) and claimer:
            raise ClaimLost(order["_id"])
    sales_stats.add_counts(sales_stats.event_day(order, event), incs)
    # Done; and nothing left to count on this order unless another event is pending.
    others_done = {f"uncounted.{other}": DONE for other in EVENTS if other != event}
    if _mark(order["_id"], event, DONE, only_if={**held, **others_done}, also={"uncounted_at": 0, **release}):
        return
    if not _mark(order["_id"], event, DONE, only_if=held, also=release) and claimer:
        raise ClaimLost(order["_id"])


def _mark(order_id: str, event: str, step: int, only_if: dict | None = None, also: dict | None = None) -> bool:
    return bool(scoped(Order).update_one({"_id": order_id, **(only_if or {})},
                                         {"$set": {f"uncounted.{event}": step, **(also or {})}}).matched_count)


def count_leftovers() -> int:
    """Finish the counts requests left unfinished (the current tenant); how many events.

    Orders another counter holds, or counted since they were read, are left to it."""
    finished, claimer = 0, new_claimer()
    for order in scoped(Order).find({"uncounted_at": {"$gt": 0, "$lt": clock.now_ms() - GRACE_MS}}):
        if not claim(order, claimer, clock.now_ms() + CLAIM_MS):
            continue
        pending = [(event, order["uncounted"][event]) for event in EVENTS
                   if order["uncounted"].get(event, DONE) != DONE]
        if not pending:  # two final marks crossed: each saw the other's event pending
            scoped(Order).update_one({"_id": order["_id"], "counting_by": claimer},
                                     {"$set": {"uncounted_at": 0, "counting_until": 0}})
        try:
            for n, (event, step) in enumerate(pending, 1):
                # The claim is held until the order's last pending event is done.
                count(order, event, step, claimer, release=n == len(pending))
                finished += 1
        except ClaimLost:
            log.warning("order %s: its count was taken over by another counter", order["_id"])
    return finished


def wait_for_counters() -> None:
    time.sleep(0.05)  # the orders an upkeep holds take it a few commands each


def hold_uncounted(claimer: str) -> int:
    """Claim every order of the current tenant with an event not fully counted for
    `claimer` (a rebuild), waiting while an upkeep holds some: afterwards nobody else
    counts them until release_held. How many it holds; CountingBusy after REBUILD_WAIT_S."""
    deadline = time.monotonic() + REBUILD_WAIT_S
    while True:
        held = busy = 0
        for order in scoped(Order).find({"uncounted_at": {"$gt": 0}}):
            mine = order.get("counting_by") == claimer
            if mine or claim(order, claimer, clock.now_ms() + REBUILD_CLAIM_MS):
                held += 1
            else:
                busy += 1
        if not busy:
            return held
        if time.monotonic() > deadline:  # give back what it took: the upkeep finishes those
            scoped(Order).update_many({"counting_by": claimer}, {"$set": {"counting_until": 0}})
            raise CountingBusy(f"{busy} orders stayed claimed by another counter for {REBUILD_WAIT_S} s")
        wait_for_counters()


def release_held(claimer: str) -> None:
    """Mark every order `claimer` holds as fully counted and give the claims up."""
    scoped(Order).update_many({"counting_by": claimer}, {"$set": {**nothing_uncounted(), "counting_until": 0}})
