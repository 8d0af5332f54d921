"""The webhook-delivering process: fan-out and lanes, paced by the work, not a tick.

One process in the deployment holds the `webhook-deliveries` lease (the scheduler
tries to take it every few seconds, with one read while another holds it). While it
holds it, a thread of its own loops: fan out the new events, start the lanes of the
endpoints due (services.events.webhook_lanes), then wait. The wait is BUSY_S while there
is work, doubling up to IDLE_S when there is none, and cut short by a nudge from a
worker on this host that has just written (services.events.webhook_wake) or by a lane
ending. An idle deployment costs two reads per IDLE_S whatever its number of tenants:
the events after the cursor of every tenant with an endpoint (one query), and the lanes
due (one query on an index of their due time). Endpoints are read whole when one was
created or changed (its lane says so, or a nudge from this host), else every REFRESH_S.
"""
import logging
import threading
import time

from pymongo.errors import BulkWriteError, PyMongoError

from models.collections import GlobalCollection
from models.tenant import Tenant
from models.webhook_endpoint import WebhookEndpoint, WebhookLane
from services import clock
from services.events import webhook_delivery, webhook_fanout, webhook_wake
from services.events.webhook_lanes import Deliverer
from services.operations import leases
from services.operations.metrics import WEBHOOK_FAILURES, WEBHOOK_OLDEST_PENDING

log = logging.getLogger(__name__)
LEASE = "webhook-deliveries"
BUSY_S = 0.15
MIN_GAP_S = 0.02
IDLE_S = 2.0
REFRESH_S = 600.0  # a safety net: changes announce themselves through their lanes
DUE_BATCH = 500
ORPHAN_MS = 60_000
ENDPOINT_FIELDS = {"_id": 1, "tenant_id": 1, "types": 1, "created_at": 1, "enabled": 1}


class Engine:
    def __init__(self, config: dict, render):
        self.config, self.render = config, render
        self.deliverer = Deliverer(config["WEBHOOK_CONCURRENCY"], config["WEBHOOK_TENANT_LANES"])
        self.fan = webhook_fanout.FanOut()
        self.endpoints: dict[str, list] = {}
        self.slugs: dict[str, str] = {}
        self.refreshed_at = None
        self.looked_at = 0.0
        self.renewed_at = 0.0
        self.thread = None

    # -- one round: what tests call directly -------------------------------------------
    def refresh(self) -> None:
        """Every endpoint (a small collection), their lanes, and their tenants' slugs."""
        by_tenant: dict[str, list] = {}
        for endpoint in GlobalCollection(WebhookEndpoint).find({}, projection=ENDPOINT_FIELDS):
            by_tenant.setdefault(endpoint["tenant_id"], []).append(endpoint)
        lanes = GlobalCollection(WebhookLane)
        known = {e["_id"] for group in self.endpoints.values() for e in group}
        unknown = [e for group in by_tenant.values() for e in group if e["_id"] not in known]
        if unknown:  # endpoints from before lanes existed: they join where the cursor is
            try:
                lanes.insert_many([{"_id": e["_id"], "tenant_id": e["tenant_id"], "due_at": clock.now_ms(),
                                    "due_seq": 0, "slow": False, "joined": True} for e in unknown])
            except BulkWriteError:  # most have theirs already
                pass
        self.endpoints = by_tenant
        for lane in lanes.find({"joined": False}):  # created since the last look, maybe on another host
            created = [e for e in by_tenant.get(lane["tenant_id"], []) if e["_id"] == lane["_id"]]
            if created:  # else its endpoint is being inserted right now: next time
                webhook_fanout.catch_up(lane["tenant_id"], created[0]["created_at"], {lane["tenant_id"]: created})
                lanes.update_one({"_id": lane["_id"]}, {"$set": {"joined": True}})
        self.slugs = {t["_id"]: t["slug"] for t in GlobalCollection(Tenant).find(
            {"_id": {"$in": sorted(by_tenant)}}, projection={"slug": 1})}
        self.refreshed_at = time.monotonic()

    def round(self, endpoints_changed: bool = False) -> bool:
        """Fan out and start the due lanes; True if there was work."""
        if endpoints_changed or self.refreshed_at is None or time.monotonic() - self.refreshed_at > REFRESH_S:
            self.refresh()
        if not self.endpoints and time.monotonic() - self.looked_at < IDLE_S:
            return False  # no endpoint anywhere: writes' nudges cost nothing (a new one's lane is seen within IDLE_S)
        self.looked_at = time.monotonic()
        made = 0
        try:
            made = self.fan.run(self.endpoints)
        except PyMongoError:
            raise
        except Exception:  # noqa: BLE001 - logged and counted; the lanes still run
            WEBHOOK_FAILURES.inc()
            log.exception("webhook fan-out failed; lanes go on")
        now = clock.now_ms()
        lanes = GlobalCollection(WebhookLane)
        due = list(lanes.find({"due_at": {"$lte": now}}, sort=[("due_at", 1)], limit=DUE_BATCH))
        if any(lane.get("changed") for lane in due):  # an endpoint created or changed, maybe on another host
            self.refresh()
            known = {e["_id"] for group in self.endpoints.values() for e in group}
            # A lane is made just before its endpoint: one not there yet is looked at again next
            # round, and dropped after a minute (its endpoint's insert failed); a deleted
            # endpoint's, at once.
            lanes.update_many({"_id": {"$in": [lane["_id"] for lane in due if lane["_id"] in known]}},
                              {"$set": {"changed": False}})
            for lane in due:
                if lane["_id"] not in known and (lane.get("deleted") or now - lane["due_at"] > ORPHAN_MS):
                    webhook_delivery.drop_lane(lane["tenant_id"], lane["_id"])
            due = [lane for lane in due if lane["_id"] in known]
            made += self.fan.run(self.endpoints)
        WEBHOOK_OLDEST_PENDING.set(max(0.0, (now - due[0]["due_at"]) / 1000) if due else 0.0)
        started, waiting = self.deliverer.start_due(due, self._lane_context)
        # Work waiting for a lane gets one as running lanes end (they nudge) or turn slow: look again soon.
        return bool(made or started or (waiting and self.deliverer.running()))

    def _lane_context(self, lane: dict):
        return self.slugs.get(lane["tenant_id"], lane["tenant_id"]), self.config, self.render, self.still_mine

    def still_mine(self) -> bool:
        return leases.still_held(LEASE) and time.monotonic() - self.renewed_at < self.config["WEBHOOK_LEASE_S"] * 0.8

    # -- the loop of the holding process ------------------------------------------------
    def alive(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(self, app) -> None:
        self.renewed_at = time.monotonic()
        self.fan = webhook_fanout.FanOut()  # what another holder did meanwhile is read afresh
        self.refreshed_at = None
        self.thread = threading.Thread(target=self._loop, args=(app,), daemon=True, name="webhook-engine")
        self.thread.start()

    def _loop(self, app) -> None:
        listener = webhook_wake.Listener()
        self.deliverer.on_lane_end = lambda: webhook_wake.nudge(webhook_wake.LANE_ENDED)
        wait, kinds, ttl_ms = BUSY_S, {webhook_wake.ENDPOINTS}, self.config["WEBHOOK_LEASE_S"] * 1000
        try:
            while True:
                with app.app_context(), leases.working(LEASE):
                    try:
                        if time.monotonic() - self.renewed_at > ttl_ms / 3000:
                            if not leases.hold(LEASE, ttl_ms):
                                return
                            self.renewed_at = time.monotonic()
                        if not leases.still_held(LEASE):
                            return
                        busy = self.round(webhook_wake.ENDPOINTS in kinds)
                    except PyMongoError as exc:  # deliveries wait in the database
                        log.info("webhook deliveries wait for the database: %s", type(exc).__name__)
                        busy = False
                    except Exception:  # noqa: BLE001 - the loop must outlive one bad round
                        WEBHOOK_FAILURES.inc()
                        log.exception("webhook round failed")
                        busy = False
                wait = BUSY_S if busy else min(max(wait * 2, BUSY_S), IDLE_S)
                kinds = listener.wait(wait)
                if kinds:
                    wait = BUSY_S
                    time.sleep(MIN_GAP_S)  # writes in a burst: one round for them all
                    kinds |= listener.wait(0)
        finally:
            listener.close()
