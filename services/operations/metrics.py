"""Prometheus metrics, correct under several gunicorn workers.

With PROMETHEUS_MULTIPROC_DIR set (gunicorn.conf.py sets it before any worker starts)
each worker writes its samples to files there and /metrics aggregates them.
"""
import os
from contextvars import ContextVar

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from pymongo import monitoring

REQUESTS = Counter("chatkeep_http_requests_total", "HTTP requests answered.",
                   ["method", "route", "status"])
LATENCY = Histogram("chatkeep_http_request_duration_seconds", "Time to answer an HTTP request.",
                    ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))

SNAPSHOTS = Counter("chatkeep_snapshots_total", "Snapshots attempted, by trigger and outcome.",
                    ["trigger", "outcome"])
SNAPSHOT_LAST_SUCCESS = Gauge("chatkeep_snapshot_last_success_timestamp_seconds",
                              "When the newest snapshot was completed.", multiprocess_mode="max")
UPKEEP_FAILURES = Counter("chatkeep_upkeep_failures_total",
                          "Tenants whose hourly upkeep failed (logged with the tenant's slug); "
                          "the upkeep went on with the others.")
UPKEEP_RUNS = Counter("chatkeep_upkeep_runs_total",
                      "Scheduled upkeep runs this host started: one process in the deployment takes each "
                      "UPKEEP_INTERVAL_S (alert when no host's count moves for two intervals).")
DB_COMMANDS = Counter("chatkeep_db_commands_total",
                      "Database commands sent, by command name and origin (an HTTP request, or background "
                      "work: scheduler jobs, the tenant change watcher, CLI commands).", ["command", "origin"])
GATEWAY_SYNCS = Counter("chatkeep_gateway_syncs_total",
                        "Gateway link syncs, by gateway kind and outcome (ok, failed).", ["kind", "outcome"])
WEBHOOK_DELIVERIES = Counter("chatkeep_webhook_deliveries_total",
                             "Webhook delivery attempts by outcome: delivered, failed (retried later), given_up.",
                             ["outcome"])
WEBHOOK_FAILURES = Counter("chatkeep_webhook_failures_total",
                           "Webhook lanes or fan-out rounds that failed unexpectedly (logged); the others went on.")
WEBHOOK_OLDEST_PENDING = Gauge("chatkeep_webhook_oldest_pending_age_seconds",
                               "How long the endpoint waiting longest for a lane has had deliveries due.",
                               multiprocess_mode="livemax")
ERASURE_FAILURES = Counter("chatkeep_erasure_failures_total",
                           "Erasure runs that failed (logged with the erasure's id): one whose phone no "
                           "SECRET_KEY key opens is marked failed; the runner went on with the others.")
in_request: ContextVar[bool] = ContextVar("chatkeep_in_request", default=False)


class CommandCounter(monitoring.CommandListener):
    """Counts every command the driver sends (authentication included) for /metrics.
    models.lean_command tells it a command by `count` instead of the driver's events."""

    def __init__(self):
        self._counters = {}  # (command, origin) -> labelled child: labels() is costly per call

    def started(self, event):
        self.count(event.command_name)

    def count(self, command_name: str) -> None:
        key = (command_name, "request" if in_request.get() else "background")
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = DB_COMMANDS.labels(*key)
        counter.inc()

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_children: dict = {}  # (method, route, status) -> labelled children: labels() is costly per request


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    # Any token is a method to HTTP: made-up ones share one label, so a client cannot
    # grow the metrics (and this cache) without bound.
    key = (method if method in HTTP_METHODS else "OTHER", route, status)
    children = _children.get(key)
    if children is None:  # routes and statuses are few: this stays small
        children = _children[key] = (REQUESTS.labels(key[0], route, str(status)), LATENCY.labels(key[0], route))
    children[0].inc()
    children[1].observe(seconds)


def _spool_gauges(data_dir: str) -> bytes:
    """Read at scrape time from the spool directory, so every worker reports the same."""
    from services.gateways.spool import depth_and_age, set_aside_count

    depth, age = depth_and_age(data_dir)
    return (b"# HELP chatkeep_spool_depth Webhook payloads waiting on disk for the database.\n"
            b"# TYPE chatkeep_spool_depth gauge\n"
            + f"chatkeep_spool_depth {depth}\n".encode()
            + b"# HELP chatkeep_spool_oldest_age_seconds Age of the oldest spooled payload.\n"
              b"# TYPE chatkeep_spool_oldest_age_seconds gauge\n"
            + f"chatkeep_spool_oldest_age_seconds {age:.3f}\n".encode()
            + b"# HELP chatkeep_spool_set_aside Spooled payloads that failed to store for a reason other "
              b"than the database (in spool/set-aside/).\n"
              b"# TYPE chatkeep_spool_set_aside gauge\n"
            + f"chatkeep_spool_set_aside {set_aside_count(data_dir)}\n".encode())


def _event_gauges() -> bytes:
    """Read at scrape time from the database (nothing when it does not answer)."""
    from pymongo.errors import PyMongoError

    from services.events.kafka_publisher import backlog

    # A scrape's own reads are monitoring, not the work of the API: counted as background,
    # so the command figures of requests (make bench) do not include them.
    token = in_request.set(False)
    try:
        count, age = backlog()
    except PyMongoError:
        return b""
    finally:
        in_request.reset(token)
    return (b"# HELP chatkeep_events_unpublished Events Kafka has not acknowledged yet.\n"
            b"# TYPE chatkeep_events_unpublished gauge\n"
            + f"chatkeep_events_unpublished {count}\n".encode()
            + b"# HELP chatkeep_events_oldest_unpublished_age_seconds Age of the oldest event Kafka has not "
              b"acknowledged.\n# TYPE chatkeep_events_oldest_unpublished_age_seconds gauge\n"
            + f"chatkeep_events_oldest_unpublished_age_seconds {age:.3f}\n".encode())


def render(data_dir: str, kafka: bool = False) -> bytes:
    """`kafka`: events are published there, so their backlog is shown too."""
    extra = _spool_gauges(data_dir) + (_event_gauges() if kafka else b"")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry) + extra
    return generate_latest(REGISTRY) + extra
