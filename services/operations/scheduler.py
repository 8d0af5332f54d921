"""Periodic work inside every gunicorn worker (started by gunicorn's post_worker_init).

Shared jobs (snapshots, hourly upkeep) are done by exactly one process per interval:
ticks are aligned to multiples of the interval, so all workers (and hosts) tick
together and race for the same lease slot; the winner does the work (a snapshot in a
child process, see take_snapshot_in_child). The spool is replayed by one process per
host (a held lease); the tenant change watcher runs in every worker, for its own cache.
"""
import logging
import socket
import subprocess
import time
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from pymongo.errors import PyMongoError

from services.events import kafka_publisher
from services.gateways import spool
from services.operations import leases, snapshot_child, snapshots

log = logging.getLogger(__name__)
MAINTENANCE_INTERVAL_S = 3600
SPOOL_REPLAY_S = 3
SPOOL_LEASE_MS = 60_000
# A snapshot still running after this is taken to be stuck and stopped. It is far above
# the default 5-minute interval: at the measured 2,600-5,800 records/s, 6 h is 55
# million records or more. Until then, the scheduled snapshots that fall due skip their turn (SnapshotBusy).
SNAPSHOT_TIME_LIMIT_S = 6 * 3600


def _aligned_start(interval_s: int) -> datetime:
    now = time.time()
    return datetime.fromtimestamp((now // interval_s + 1) * interval_s, tz=timezone.utc)


def _slot(interval_s: int) -> int:
    return round(time.time() / interval_s)


def scheduled_snapshot(app) -> None:
    interval = app.config["SNAPSHOT_INTERVAL_S"]
    with app.app_context():
        if not leases.claim_slot("snapshot", _slot(interval)):
            return
    try:
        snapshot_child.take_snapshot_in_child("scheduled", app.config, timeout_s=SNAPSHOT_TIME_LIMIT_S)
    except snapshots.SnapshotBusy:  # counted by the snapshot process
        log.info("scheduled snapshot skipped: the previous one is still being written")
    except (snapshots.SnapshotError, subprocess.TimeoutExpired) as exc:
        log.error("scheduled snapshot failed: %s", exc)


def replay_spool(app) -> None:
    """Store what the webhooks spooled while the database was down (one process per host)."""
    from services.gateways.ingest import store_received

    data_dir = app.config["DATA_DIR"]
    if not spool.pending(data_dir):
        return
    lease = f"spool:{socket.gethostname()}"
    with app.app_context():
        try:
            if not leases.hold(lease, SPOOL_LEASE_MS):
                return
            done = spool.replay(data_dir, store_received, _renewing(lease))
            leases.release(lease)
            log.info("replayed %s spooled webhook payloads", done)
        except PyMongoError as exc:  # still down: the files stay, in order, for the next run
            log.info("spool replay waits for the database: %s", type(exc).__name__)


def _renewing(lease: str):
    """A keep_going for spool.replay: renews `lease` a third of the way through its
    time, so a long replay keeps it (two replays at once would race on the same
    files); False once another process has taken it."""
    renewed_at = time.monotonic()

    def keep_going() -> bool:
        nonlocal renewed_at
        if time.monotonic() - renewed_at < SPOOL_LEASE_MS / 3000:
            return True
        renewed_at = time.monotonic()
        return leases.hold(lease, SPOOL_LEASE_MS)
    return keep_going


PUBLISH_INTERVAL_S = 1
PUBLISHER_LEASE_MS = 30_000
_publisher: kafka_publisher.Publisher | None = None  # made in the worker that publishes, after the fork


def publish_events(app) -> None:
    """Send the event log to Kafka: one process in the deployment at a time (a held lease)."""
    global _publisher
    with app.app_context():
        try:
            if not leases.hold("events-publisher", PUBLISHER_LEASE_MS):
                return
            if _publisher is None:
                _publisher = kafka_publisher.Publisher(app.config, app.extensions["chatkeep_event_envelope"])
            _publisher.publish(lambda: leases.hold("events-publisher", PUBLISHER_LEASE_MS))
        except PyMongoError as exc:  # events wait in the database
            log.info("event publishing waits for the database: %s", type(exc).__name__)


def watch_tenants(app) -> None:
    from services.tenancy.tenants import watch_tenant_changes

    with app.app_context():
        try:
            watch_tenant_changes(app.config["AUTH_CACHE_S"])
        except PyMongoError:  # entries fall back to their own AUTH_CACHE_S freshness
            pass


def maintenance(app) -> None:
    """Hourly upkeep for every tenant (services.operations.upkeep.run_upkeep)."""
    from services.operations.upkeep import run_upkeep

    with app.app_context():
        if leases.claim_slot("maintenance", _slot(MAINTENANCE_INTERVAL_S)):
            run_upkeep(app.config)


def start(app) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(daemon=True, timezone=timezone.utc)
    interval = app.config["SNAPSHOT_INTERVAL_S"]
    if interval > 0:
        scheduler.add_job(scheduled_snapshot, IntervalTrigger(seconds=interval, start_date=_aligned_start(interval)),
                          args=[app], id="snapshot", max_instances=1, coalesce=True, misfire_grace_time=interval)
    if app.config["AUTH_CACHE_S"] > 0:
        scheduler.add_job(watch_tenants, IntervalTrigger(seconds=app.config["AUTH_CACHE_S"]), args=[app],
                          id="tenants", max_instances=1, coalesce=True, next_run_time=datetime.now(timezone.utc))
    scheduler.add_job(replay_spool, IntervalTrigger(seconds=SPOOL_REPLAY_S), args=[app], id="spool",
                      max_instances=1, coalesce=True, next_run_time=datetime.now(timezone.utc))
    if app.config.get("KAFKA_BOOTSTRAP_SERVERS"):
        scheduler.add_job(publish_events, IntervalTrigger(seconds=PUBLISH_INTERVAL_S), args=[app], id="events",
                          max_instances=1, coalesce=True, next_run_time=datetime.now(timezone.utc))
    scheduler.add_job(maintenance, IntervalTrigger(seconds=MAINTENANCE_INTERVAL_S,
                                                   start_date=_aligned_start(MAINTENANCE_INTERVAL_S)),
                      args=[app], id="maintenance", max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler
