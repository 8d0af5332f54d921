"""Periodic work inside every gunicorn worker (started by gunicorn's post_worker_init).

Shared jobs (snapshots, gateway sync, hourly upkeep) are done by exactly one process per interval:
ticks are aligned to multiples of the interval, so all workers (and hosts) tick
together and race for the same lease slot; the winner does the work (a snapshot in a
child process, see take_snapshot_in_child). The spool is replayed by one process per
host and DATA_DIR (a held lease); the tenant change watcher runs in every worker, for its own cache.
Conversations marked for repair are looked for by every worker (a read of a nearly
always empty collection) and repaired by one process at a time (a held lease).
A worker stopping gracefully hands its held leases back (`stop`, leases.hand_back).
Runs that did nothing log nothing (APScheduler's own report of each run is DEBUG only,
see app.configure_logging); what a run did is logged.
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
SPOOL_REPLAY_S = 3
SPOOL_LEASE_MS = 60_000
REPAIR_INTERVAL_S = 10  # with the marks' settle time: a summary short by a message for about 15 s
REPAIR_LEASE_MS = 300_000
# A snapshot still running after this is taken to be stuck and stopped. It is far above
# the default 5-minute interval: at the measured 2,600-5,800 records/s, 6 h is 55
# million records or more. Until then, the scheduled snapshots that fall due skip their turn (SnapshotBusy).
SNAPSHOT_TIME_LIMIT_S = 6 * 3600
ERASURE_INTERVAL_S = 5
HAND_BACK_WAIT_S = 5  # a stopping worker waits this long for a job at work under a lease


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
        manifest = snapshot_child.take_snapshot_in_child("scheduled", app.config, timeout_s=SNAPSHOT_TIME_LIMIT_S)
        log.info("scheduled snapshot %s written (%s records)", manifest["generation"],
                 sum(f["records"] for f in manifest["files"].values()))
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
    lease = spool_lease(data_dir)
    with app.app_context(), leases.working(lease):
        try:
            if not leases.hold(lease, SPOOL_LEASE_MS):
                return
            done = spool.replay(data_dir, store_received, _renewing(lease))
            leases.release(lease)
            if done:  # an idle service is quiet: only what a run did is logged
                log.info("replayed %s spooled webhook payloads", done)
        except PyMongoError as exc:  # still down: the files stay, in order, for the next run
            log.info("spool replay waits for the database: %s", type(exc).__name__)


def spool_lease(data_dir: str) -> str:
    """The spool's lease: one per host and DATA_DIR, since spool files are local to
    both (two services on one machine each replay their own spool, neither waits for
    the other's)."""
    return f"spool:{socket.gethostname()}:{data_dir}"


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


def repair_conversations(app) -> None:
    """Rebuild the conversation summaries duplicates found short (services.messaging.conversation_repairs)."""
    from services.messaging import conversation_repairs

    with app.app_context(), leases.working("conversation-repairs"):
        try:
            if not conversation_repairs.any_due() or not leases.hold("conversation-repairs", REPAIR_LEASE_MS):
                return
            rebuilt = conversation_repairs.run_due_repairs()
            leases.release("conversation-repairs")
            log.info("rebuilt %s conversation summaries found short by a message", rebuilt)
        except PyMongoError as exc:  # the marks stay for the next run
            log.info("conversation repairs wait for the database: %s", type(exc).__name__)


PUBLISH_INTERVAL_S = 1
PUBLISHER_LEASE_MS = 30_000
PUBLISHER_RENEW_S = 5  # the holder renews its lease this often (not every run)
PUBLISHER_RETRY_S = 0.9  # a process that found the lease held looks again at its next tick (one read)
_publisher: kafka_publisher.Publisher | None = None  # made in the worker that publishes, after the fork
_publisher_lease = {"renewed": float("-inf"), "retry": float("-inf")}  # monotonic times


def _still_publisher() -> bool:
    """Asked before a round that has work (one read): a holder paused past its lease
    stops sending as soon as it sees another process holds it."""
    if leases.held_by_other(kafka_publisher.LEASE):
        _publisher_lease["renewed"] = float("-inf")
        return False
    return True


def publish_events(app) -> None:
    """Send the event log to Kafka: one process in the deployment at a time (a held
    lease). The holder's run lasts about one interval and publishes as events come
    (services.events.kafka_publisher); the others look at the lease now and then."""
    global _publisher
    now = time.monotonic()
    if now < _publisher_lease["retry"]:
        return
    with app.app_context(), leases.working(kafka_publisher.LEASE):
        try:
            if now - _publisher_lease["renewed"] >= PUBLISHER_RENEW_S:
                if leases.held_by_other(kafka_publisher.LEASE) or not leases.hold(kafka_publisher.LEASE,
                                                                              PUBLISHER_LEASE_MS):
                    _publisher_lease.update(renewed=float("-inf"), retry=now + PUBLISHER_RETRY_S)
                    if _publisher is None:  # a standby, ready to take over without a cold start
                        _publisher = kafka_publisher.Publisher(app.config, app.extensions["chatkeep_event_envelopes"])
                    _publisher.stop()
                    _publisher.warm()
                    return
                _publisher_lease["renewed"] = now
            if _publisher is None:
                _publisher = kafka_publisher.Publisher(app.config, app.extensions["chatkeep_event_envelopes"])
            _publisher.run(PUBLISH_INTERVAL_S * 0.9, _still_publisher)
        except PyMongoError as exc:  # events wait in the database
            log.info("event publishing waits for the database: %s", type(exc).__name__)


def watch_tenants(app) -> None:
    from services.privacy import ledger
    from services.tenancy.tenants import watch_tenant_changes

    with app.app_context():
        try:
            watch_tenant_changes()
            ledger.refresh_cached()
        except PyMongoError:  # entries still expire after their own AUTH_CACHE_S
            pass


def maintenance(app) -> None:
    """The upkeep for every tenant (services.operations.upkeep.run_upkeep), hourly by default."""
    from services.operations.metrics import UPKEEP_RUNS
    from services.operations.upkeep import run_upkeep

    with app.app_context():
        if leases.claim_slot("maintenance", _slot(app.config["UPKEEP_INTERVAL_S"])):
            UPKEEP_RUNS.inc()
            run_upkeep(app.config)


def gateway_sync(app) -> None:
    """Sync every linked session with its gateway (one process in the deployment per round)."""
    from services.gateways.session_link import sync_every_linked

    interval = app.config["GATEWAY_SYNC_INTERVAL_S"]
    with app.app_context():
        if leases.claim_slot("gateway-sync", _slot(interval)):
            sync_every_linked(app.config["GATEWAY_TIMEOUT_S"], app.config["OUTBOUND_ALLOW_PRIVATE"])


def erasures(app) -> None:
    """Finish erasures a request's budget or a crash left running (one process at a time)."""
    from services.privacy.erasure import run_pending

    with app.app_context(), leases.working("erasures"):
        try:
            lease_s = app.config["ERASURE_LEASE_S"]
            # One read while another process holds it (hold alone takes three commands to find out).
            if not leases.held_by_other("erasures") and leases.hold("erasures", lease_s * 1000):
                # A third of the hold: the run ends, and the next tick renews, well before it lapses.
                finished = run_pending(lease_s / 3)
                if finished:
                    log.info("finished %s erasures", finished)
        except PyMongoError as exc:
            log.info("erasures wait for the database: %s", type(exc).__name__)


WEBHOOK_INTERVAL_S = 5  # how often a process not delivering looks whether the lease is free (one read)
_engine = None  # made in the worker that delivers, after the fork


def deliver_webhooks(app) -> None:
    """Push events to tenants' webhook endpoints: one process in the deployment (a held
    lease) runs the engine's own loop (services.events.webhook_engine), which renews
    the lease and paces itself; this job only takes the lease when it is free."""
    from services.events.webhook_engine import LEASE, Engine

    global _engine
    if _engine is not None and _engine.alive():
        return
    with app.app_context():
        try:
            if leases.held_by_other(LEASE) or not leases.hold(LEASE, app.config["WEBHOOK_LEASE_S"] * 1000):
                return
            if _engine is None:
                _engine = Engine(app.config, app.extensions["chatkeep_event_envelopes"])
            _engine.start(app)
        except PyMongoError as exc:  # deliveries wait in the database
            log.info("webhook deliveries wait for the database: %s", type(exc).__name__)


def stop(running: BackgroundScheduler, app) -> None:
    """A worker's graceful exit: no new job runs, then its held leases go back
    (leases.hand_back), so the other processes and hosts take the work over at once."""
    running.shutdown(wait=False)
    # Webhook lanes run in their own pool beyond the job's run: the lease goes back only
    # once none is posting, or a second deliverer could send beside them.
    lanes_done = {"webhook-deliveries": lambda: _engine is None or _engine.deliverer.wait_idle(HAND_BACK_WAIT_S)}
    with app.app_context():
        try:
            handed = leases.hand_back(HAND_BACK_WAIT_S, lanes_done)
        except PyMongoError:  # the database is away: the leases lapse at their end
            return
    if handed:
        log.info("handed back the leases %s", ", ".join(handed))


def start(app) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(daemon=True, timezone=timezone.utc)
    interval = app.config["SNAPSHOT_INTERVAL_S"]
    if interval > 0:
        scheduler.add_job(scheduled_snapshot, IntervalTrigger(seconds=interval, start_date=_aligned_start(interval)),
                          args=[app], id="snapshot", max_instances=1, coalesce=True, misfire_grace_time=interval)
    if app.config["AUTH_CACHE_S"] > 0:
        # Twice per AUTH_CACHE_S: entries are re-read before they expire, so requests read nothing.
        scheduler.add_job(watch_tenants, IntervalTrigger(seconds=app.config["AUTH_CACHE_S"] / 2), args=[app],
                          id="tenants", max_instances=1, coalesce=True, next_run_time=datetime.now(timezone.utc))
    scheduler.add_job(replay_spool, IntervalTrigger(seconds=SPOOL_REPLAY_S), args=[app], id="spool",
                      max_instances=1, coalesce=True, next_run_time=datetime.now(timezone.utc))
    scheduler.add_job(repair_conversations, IntervalTrigger(seconds=REPAIR_INTERVAL_S), args=[app],
                      id="conversation_repairs", max_instances=1, coalesce=True)
    if app.config.get("KAFKA_BOOTSTRAP_SERVERS"):
        scheduler.add_job(publish_events, IntervalTrigger(seconds=PUBLISH_INTERVAL_S), args=[app], id="events",
                          max_instances=1, coalesce=True, next_run_time=datetime.now(timezone.utc))
    upkeep_interval = app.config["UPKEEP_INTERVAL_S"]
    scheduler.add_job(maintenance, IntervalTrigger(seconds=upkeep_interval,
                                                   start_date=_aligned_start(upkeep_interval)),
                      args=[app], id="maintenance", max_instances=1, coalesce=True)
    sync_interval = app.config["GATEWAY_SYNC_INTERVAL_S"]
    if sync_interval > 0:
        scheduler.add_job(gateway_sync, IntervalTrigger(seconds=sync_interval,
                                                        start_date=_aligned_start(sync_interval)),
                          args=[app], id="gateway-sync", max_instances=1, coalesce=True,
                          misfire_grace_time=sync_interval)
    scheduler.add_job(erasures, IntervalTrigger(seconds=ERASURE_INTERVAL_S), args=[app], id="erasures",
                      max_instances=1, coalesce=True)
    scheduler.add_job(deliver_webhooks, IntervalTrigger(seconds=WEBHOOK_INTERVAL_S), args=[app], id="webhooks",
                      max_instances=1, coalesce=True, next_run_time=datetime.now(timezone.utc))
    scheduler.start()
    return scheduler
