"""The lanes of the delivering process, shared fairly between tenants and endpoints.

One endpoint is never in two lanes at once. Lanes are of two classes: a fast lane is
one whose endpoint answered promptly last time; an endpoint that failed, or whose
attempt has been running longer than SLOW_MS, is slow. There are WEBHOOK_CONCURRENCY
lanes of each class. Fast ones are shared equally between the tenants with work (each
at most concurrency / those tenants, never fewer than WEBHOOK_TENANT_LANES); slow ones
are at most WEBHOOK_TENANT_LANES per tenant. So a tenant's hanging receivers soon count
as slow and fill only its own slow lanes: its healthy endpoints and every other
tenant's still find fast ones. Due endpoints are taken tenant by tenant, the tenant with
the fewest running lanes first, and within a tenant the one due longest first: one
endpoint's backlog (a lane sends LANE_BATCH and waits its turn again) never holds up
the tenant's other endpoints.
"""
import logging
import threading
import time
from collections import defaultdict

from models.tenancy import tenant_scope
from services.events import webhook_delivery
from services.operations.metrics import WEBHOOK_FAILURES

log = logging.getLogger(__name__)


class Deliverer:
    def __init__(self, concurrency: int, per_tenant: int):
        self.concurrency, self.per_tenant = concurrency, per_tenant
        self._running: dict[str, dict] = {}  # endpoint id -> {tenant, slow, since}
        self._lock = threading.Lock()
        self.on_lane_end = lambda: None

    def _classes(self) -> tuple[dict, dict]:
        """Running lanes counted per (class, tenant) and per class."""
        now = time.monotonic()
        per_tenant, total = defaultdict(int), defaultdict(int)
        for lane in self._running.values():
            klass = "slow" if lane["slow"] or now - lane["since"] > webhook_delivery.SLOW_MS / 1000 else "fast"
            per_tenant[(klass, lane["tenant"])] += 1
            total[klass] += 1
        return per_tenant, total

    def start_due(self, due: list, context) -> tuple[int, int]:
        """Start lanes for due endpoints (lane documents: _id, tenant_id, due_seq, slow) as
        far as the shares allow; `context(lane)` -> (slug, settings, render, still_mine).
        (started, left waiting for a lane)."""
        started, waiting = 0, 0
        with self._lock:
            per_tenant, total = self._classes()
            by_tenant = defaultdict(list)
            for lane in sorted(due, key=lambda lane: lane.get("due_at") or 0):
                if lane["_id"] not in self._running:
                    by_tenant[lane["tenant_id"]].append(lane)
            active = set(by_tenant) | {lane["tenant"] for lane in self._running.values()}
            shares = {"fast": max(self.per_tenant, self.concurrency // max(1, len(active))), "slow": self.per_tenant}
            while by_tenant:
                tenant_id = min(by_tenant, key=lambda t: (per_tenant[("fast", t)] + per_tenant[("slow", t)], t))
                lane = by_tenant[tenant_id].pop(0)
                if not by_tenant[tenant_id]:
                    del by_tenant[tenant_id]
                klass = "slow" if lane.get("slow") else "fast"
                if total[klass] >= self.concurrency or per_tenant[(klass, tenant_id)] >= shares[klass]:
                    waiting += 1
                    continue
                per_tenant[(klass, tenant_id)] += 1
                total[klass] += 1
                self._running[lane["_id"]] = {"tenant": tenant_id, "slow": klass == "slow", "since": time.monotonic()}
                threading.Thread(target=self._lane, args=(lane, context), daemon=True,
                                 name=f"webhook-{lane['_id']}").start()
                started += 1
        return started, waiting

    def _lane(self, lane: dict, context) -> None:
        try:
            slug, settings, render, still_mine = context(lane)
            with tenant_scope(lane["tenant_id"]):
                webhook_delivery.run_lane(lane["_id"], slug, lane.get("due_seq", 0), settings, render, still_mine)
        except Exception:  # noqa: BLE001 - one endpoint's surprise must not end the deliverer or other lanes
            WEBHOOK_FAILURES.inc()
            log.exception("webhook lane for endpoint %s failed", lane["_id"])
        finally:
            with self._lock:
                self._running.pop(lane["_id"], None)
            self.on_lane_end()

    def running(self) -> int:
        with self._lock:
            return len(self._running)

    def wait_idle(self, timeout_s: float) -> bool:
        """For tests and shutdown: True once no lane is running."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.running():
                return True
            time.sleep(0.01)
        return False
