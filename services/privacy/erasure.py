"""Erasing one end user's data for good.

The ledger entry comes first (services.privacy.ledger), so nothing dated before the
erasure is stored again while it runs or after. Then, in bounded batches, each step
idempotent so a run cut off by a crash is simply run again, and each acting only on
what is dated at or before the erasure (services.privacy.erasure_steps): the contact's
conversations (their messages, in both directions, and summaries), messages held for
their session's number, the chat session, archived webhook bodies that carry the
phone, events about the contact and their webhook deliveries; orders keep their
amounts and product types and lose the phone; statistics do not move.

`erase` runs within a time budget: done in time, the counts (a 200); not, the
erasure's id (a 202 to poll) and the scheduler's runner (`run_pending`) finishes it, as
it finishes one a crash cut off. The state answered is the state stored. A last sweep
after the ledger's refresh time (`sweep_at`, the runner's) catches a message another
worker stored before it learned of the erasure; only then is the phone dropped. The
phone is kept only encrypted, and only until then; logs name the erasure, not the phone.
An erasure whose phone no SECRET_KEY key opens is marked failed (logged, counted) and
the others go on.
"""
import logging
import secrets
import time

from pymongo.errors import PyMongoError

from models.collections import GlobalCollection, scoped
from models.erasure import Erasure
from models.tenancy import tenant_scope
from services import clock, secret_box
from services.errors import found
from services.events import event_log
from services.operations.metrics import ERASURE_FAILURES
from services.privacy import erasure_steps, ledger

log = logging.getLogger(__name__)
COUNTS = ("messages", "conversations", "chat_sessions", "orders_anonymised", "archived_webhooks", "events",
          "deliveries")
SWEEP_AFTER_MS = int(ledger.REFRESH_S * 1000) + 1000


def erase(phone: str, budget_s: float, request_id: str | None = None) -> dict:
    """Erase the current tenant's data about `phone`; the erasure as stored (state "done"
    with its counts, or "running" if the budget ran out first)."""
    now = clock.now_ms()
    ledger.record(phone, now)
    erasure = {"_id": "er_" + secrets.token_hex(12), "state": "running", "phone": secret_box.encrypt(phone),
               "erased_at": now, "erased": {name: 0 for name in COUNTS}, "request_id": request_id,
               "sweep_at": now + SWEEP_AFTER_MS}
    scoped(Erasure).insert_one(erasure)
    log.info("erasure %s started (request %s)", erasure["_id"], request_id or "-")
    _run(erasure, time.monotonic() + budget_s)
    return get_erasure(erasure["_id"])


def get_erasure(erasure_id: str) -> dict:
    return public(found(scoped(Erasure).find_one({"_id": erasure_id}), f"no erasure '{erasure_id}'"))


def public(erasure: dict) -> dict:
    return {"id": erasure["_id"], "state": erasure["state"], "erased_at": erasure["erased_at"],
            "erased": {name: erasure.get("erased", {}).get(name, 0) for name in COUNTS},
            "finished_at": erasure.get("finished_at")}


def run_pending(budget_s: float) -> int:
    """Go on with erasures left running (budget spent, or a crash), and make the last
    sweep of those due; how many runs finished. One erasure failing is logged and
    counted, and the others go on; a database outage ends the round."""
    finished = 0
    deadline = time.monotonic() + budget_s
    erasures = GlobalCollection(Erasure)
    due = [*erasures.find({"state": "running"}, projection={"_id": 1, "tenant_id": 1}),
           *erasures.find({"state": "done", "sweep_at": {"$gt": 0, "$lte": clock.now_ms()}},
                          projection={"_id": 1, "tenant_id": 1})]
    for pending in due:
        if time.monotonic() >= deadline:
            break
        try:
            with tenant_scope(pending["tenant_id"]):
                erasure = scoped(Erasure).find_one({"_id": pending["_id"]})
                if erasure is not None and erasure.get("phone") and _run(erasure, deadline):
                    finished += 1
        except PyMongoError:
            raise
        except Exception:  # noqa: BLE001 - one erasure's fault must not stop the others'
            ERASURE_FAILURES.inc()
            log.exception("erasure %s failed this round; the others go on", pending["_id"])
    return finished


def _run(erasure: dict, deadline: float) -> bool:
    """Run (or sweep) `erasure`; whether it got to the end within `deadline`."""
    try:
        phone = secret_box.decrypt(erasure["phone"])
    except secret_box.SecretKeyError:
        _fail(erasure, "its phone cannot be decrypted with this SECRET_KEY")
        return False
    erasure["erased"] = {name: erasure.get("erased", {}).get(name, 0) for name in COUNTS}

    def count(name: str, n: int) -> None:
        if n:
            erasure["erased"][name] += n
            scoped(Erasure).update_one({"_id": erasure["_id"]}, {"$inc": {f"erased.{name}": n}})

    for step in erasure_steps.STEPS:
        if not step(erasure, phone, deadline, count):
            return False
    # Its id is the erasure's, so a run repeated after a crash or for the last sweep adds none.
    # Placed now, not at erased_at: a run longer than the feed's settle time would put it
    # behind readers' cursors.
    with event_log.deadline():
        event_log.record("contact", "erased", erasure["erased_at"],
                         {"phone": phone, "erased_at": clock.iso(erasure["erased_at"]), "erased": erasure["erased"]},
                         placed_at=clock.now_ms())
    now = clock.now_ms()
    done = {"state": "done", "finished_at": erasure.get("finished_at") or now}
    if now >= erasure["erased_at"] + SWEEP_AFTER_MS:  # every worker knows of it: nothing more can come
        done.update(phone=None, sweep_at=0, swept_at=now)
    else:
        done["sweep_at"] = erasure["erased_at"] + SWEEP_AFTER_MS
    scoped(Erasure).update_one({"_id": erasure["_id"]}, {"$set": done})
    if erasure["state"] == "running":
        log.info("erasure %s done (request %s): %s", erasure["_id"], erasure.get("request_id") or "-",
                 erasure["erased"])
    erasure.update(done)
    return True


def _fail(erasure: dict, reason: str) -> None:
    """Mark an erasure that cannot go on here as failed (its ledger entry stays: nothing
    dated before it is stored again); counted, and logged by id, never by phone."""
    ERASURE_FAILURES.inc()
    log.error("erasure %s failed: %s; marked failed, the others go on", erasure["_id"], reason)
    scoped(Erasure).update_one({"_id": erasure["_id"]},
                               {"$set": {"state": "failed", "failed_reason": reason, "sweep_at": 0,
                                         "finished_at": clock.now_ms()}})
