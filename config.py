"""Settings from the environment, and only from the environment.

Every variable ChatKeep reads is declared once in VARIABLES (name, default, parser,
meaning); the README's configuration table lists the same names and a test keeps the
two in step. An invalid value stops start-up with one line naming the variable and
its rule; a secret's value (secret=True) is never part of that line.
"""
import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


class ConfigError(ValueError):
    """A configuration variable holds a value ChatKeep cannot use."""


def _int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"must be a whole number from {low} to {high}") from None
        if not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value

    return parse


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return level


def _mongodb_uri(raw: str) -> str:
    if not raw.startswith(("mongodb://", "mongodb+srv://", "mongomock://")):
        raise ValueError("must start with mongodb:// or mongodb+srv://")
    return raw


def _non_empty(raw: str) -> str:
    if not raw.strip():
        raise ValueError("must not be blank when set")
    return raw


def _one_of(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw.strip().lower() not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return raw.strip().lower()

    return parse


def _boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in {"true", "false", "1", "0", "yes", "no"}:
        raise ValueError("must be true or false")
    return value in {"true", "1", "yes"}


def _json_object(raw: str) -> dict:
    import json

    try:
        value = json.loads(raw)
    except ValueError:
        raise ValueError("must be a JSON object") from None
    if not isinstance(value, dict) or not all(isinstance(v, (str, int, float, bool)) for v in value.values()):
        raise ValueError("must be a JSON object of client settings to strings, numbers or booleans")
    return value


def _admin_token(raw: str) -> str:
    if len(raw) < 16:
        raise ValueError("must be at least 16 characters (or unset to disable the admin API)")
    return raw


def _metrics_token(raw: str) -> str:
    if len(raw) < 16:
        raise ValueError("must be at least 16 characters (or unset to leave /metrics open)")
    return raw


def _fernet_keys(raw: str) -> str:
    """One or more Fernet keys, comma separated (the first encrypts, all decrypt)."""
    keys = [key.strip() for key in raw.split(",")]
    for key in keys:
        try:
            valid = len(base64.b64decode(key.encode("ascii"), altchars=b"-_", validate=True)) == 32
        except (binascii.Error, UnicodeEncodeError, ValueError):
            valid = False
        if not valid:
            raise ValueError("must be one or more comma-separated Fernet keys, each 32 url-safe base64-encoded "
                             "bytes (make one with: python -c 'from cryptography.fernet import Fernet; "
                             "print(Fernet.generate_key().decode())')")
    return ",".join(keys)


@dataclass(frozen=True)
class Variable:
    name: str
    default: object
    parse: Callable[[str], object]
    meaning: str
    # A secret's value never appears in an error message (a password inside a URI, a
    # token one character short): only the variable's name and the rule.
    secret: bool = False


VARIABLES = (
    Variable("MONGODB_URI", None, _mongodb_uri,
             "MongoDB to use. Unset: the embedded nx-27017 server under DATA_DIR/db.", secret=True),
    Variable("EMBEDDED_DB_SYNC", "normal", _one_of("normal", "full"),
             "The embedded database's SQLite synchronous mode: normal survives a crash of the process, full "
             "also a power loss (slower writes); read by the embedded server itself."),
    Variable("DATA_DIR", "./data", _non_empty,
             "Runtime files: embedded database, snapshots, spool, logs."),
    Variable("HOST", "127.0.0.1", _non_empty, "Address gunicorn binds to."),
    Variable("PORT", 8000, _int_between(1, 65535), "Port gunicorn binds to."),
    Variable("WEB_CONCURRENCY", 2, _int_between(1, 64), "gunicorn worker processes."),
    Variable("CHATKEEP_ADMIN_TOKEN", None, _admin_token,
             "Bearer token of the admin API. Unset: the admin API answers 404.", secret=True),
    Variable("SECRET_KEY", None, _fernet_keys,
             "Fernet keys, comma separated, encrypting stored secrets: the first encrypts, all decrypt. "
             "Unset: a development key generated once into DATA_DIR/secret.key.", secret=True),
    Variable("MAX_BODY_BYTES", 1048576, _int_between(1024, 64 * 1048576),
             "Largest request body accepted; larger bodies get 413."),
    Variable("LOG_LEVEL", "INFO", _log_level, "DEBUG, INFO, WARNING, ERROR or CRITICAL."),
    Variable("DB_TIMEOUT_MS", 3000, _int_between(100, 60000),
             "How long a database call waits for a reachable server before 503."),
    Variable("AUTH_CACHE_S", 2, _int_between(0, 300),
             "Longest a worker uses a tenant lookup (keys, settings) before reading it again; "
             "0 reads every time."),
    Variable("AUTH_FAILURE_LIMIT", 20, _int_between(1, 100000),
             "Failed authentications per minute from one address (per worker) before 429."),
    Variable("TRUSTED_PROXY_COUNT", 0, _int_between(0, 10),
             "Reverse proxies in front of ChatKeep whose X-Forwarded-For and X-Forwarded-Proto are "
             "trusted (the client address of the throttle); 0 trusts none."),
    Variable("METRICS_TOKEN", None, _metrics_token,
             "When set, /metrics needs 'Authorization: Bearer <token>'. Unset: /metrics is open.", secret=True),
    Variable("CHAT_STATE_MAX_BYTES", 65536, _int_between(2, 16 * 1048576),
             "Largest chat session state (compact UTF-8 JSON); a larger one gets 422."),
    Variable("STATS_RETENTION_DAYS", 90, _int_between(1, 3660),
             "Days of daily sales statistics kept and returned; totals stay all-time."),
    Variable("SNAPSHOT_INTERVAL_S", 300, _int_between(0, 86400),
             "Seconds between scheduled snapshots (one process takes each); 0 turns them off."),
    Variable("SNAPSHOT_REQUEST_WAIT_S", 20, _int_between(0, 25),
             "How long POST /api/v1/admin/snapshots waits for its snapshot before answering 202 "
             "(it goes on); under gunicorn's 30 s worker timeout."),
    Variable("SNAPSHOT_KEEP", 12, _int_between(1, 1000), "Snapshot generations kept in DATA_DIR/snapshots."),
    Variable("SNAPSHOT_ON_SHUTDOWN", True, _boolean,
             "Write a final snapshot when the service stops. With several hosts, leave it true on one "
             "(or on none) rather than snapshotting the whole database at every host's restart."),
    Variable("WEBHOOK_ARCHIVE_DAYS", 0, _int_between(0, 3650),
             "Days every accepted webhook body is kept verbatim for `webhooks replay`; 0 keeps none."),
    Variable("PARKED_STATUS_DAYS", 7, _int_between(1, 365),
             "Days a delivery status waits for its message before it is dropped."),
    Variable("UPKEEP_INTERVAL_S", 3600, _int_between(1, 86400),
             "Seconds between upkeep runs (expired rows removed, cut-off order counts finished, retention); "
             "one process in the deployment takes each."),
    Variable("ERASURE_LEASE_S", 60, _int_between(6, 3600),
             "Seconds an erasure runner's hold lasts: a host that dies mid-erasure leaves it to another "
             "within this time. A run works at most a third of it before it renews."),
    Variable("GATEWAY_SYNC_INTERVAL_S", 60, _int_between(0, 86400),
             "Seconds between syncs of every linked session with its gateway (one process per round); 0: never."),
    Variable("GATEWAY_TIMEOUT_S", 5, _int_between(1, 60),
             "The whole time a sync may take to ask the gateway (lookup, connection, TLS, answer) before it counts "
             "as unreachable (502)."),
    Variable("WEBHOOK_TIMEOUT_S", 10, _int_between(1, 60),
             "The whole time one webhook delivery attempt may take (lookup, connection, TLS, answer) before it fails."),
    Variable("WEBHOOK_RETRY_BASE_S", 30, _int_between(1, 3600),
             "The first retry delay of a failed webhook delivery; it doubles after each failure, for up to 3 days."),
    Variable("WEBHOOK_CONCURRENCY", 16, _int_between(1, 256),
             "Webhook deliveries in flight at once to endpoints that answer promptly (one per endpoint at a "
             "time), in the one delivering process; as many again for slow or failing endpoints."),
    Variable("WEBHOOK_TENANT_LANES", 4, _int_between(1, 256),
             "Of those, at most this many per tenant (and as many slow ones): one tenant cannot take the pool."),
    Variable("WEBHOOK_ENDPOINTS_MAX", 20, _int_between(1, 1000),
             "Webhook endpoints a tenant may have; creating one more is 422."),
    Variable("WEBHOOK_LOG_RETENTION_DAYS", 30, _int_between(1, 3650),
             "Days delivered and given-up webhook deliveries and their attempt log are kept (the upkeep prunes them)."),
    Variable("WEBHOOK_LEASE_S", 30, _int_between(2, 600),
             "How long the webhook-delivering process's lease lasts unless renewed (a third of it): after a crash, "
             "another process takes over within it."),
    Variable("OUTBOUND_ALLOW_PRIVATE", False, _boolean,
             "Let gateway links and webhook endpoints call loopback, private and link-local addresses (the cloud "
             "metadata addresses stay refused): set it when the gateway runs on the same host or network."),
    Variable("EVENTS_RETENTION_DAYS", 7, _int_between(1, 3650),
             "Days events are kept for GET /api/v1/events (and Kafka, while it is unreachable)."),
    Variable("EVENTS_CLOCK_SKEW_MS", 1000, _int_between(0, 600000),
             "How far apart the clocks of the hosts writing to one database may be; the event "
             "feed shows an event once DB_TIMEOUT_MS plus this has passed."),
    Variable("KAFKA_BOOTSTRAP_SERVERS", None, _non_empty,
             "Kafka brokers (host:port,...) to publish every event to; unset: no Kafka."),
    Variable("KAFKA_TOPIC", "chatkeep.events", _non_empty, "The Kafka topic events go to."),
    Variable("KAFKA_CONFIG_JSON", None, _json_object,
             "Extra librdkafka producer settings as a JSON object (TLS, SASL).", secret=True),  # sasl.password
)


def load_settings(environ=None) -> dict:
    """Parse every variable; raise ConfigError naming the first bad one."""
    environ = os.environ if environ is None else environ
    settings = {}
    for var in VARIABLES:
        raw = environ.get(var.name)
        if raw is None or raw == "":
            settings[var.name] = var.default
            continue
        try:
            settings[var.name] = var.parse(raw)
        except ValueError as exc:
            raise ConfigError(_invalid(var, raw, str(exc))) from None
    settings["DATA_DIR"] = str(Path(settings["DATA_DIR"]).resolve())
    return settings


def _invalid(var: Variable, raw: str, rule: str) -> str:
    if not var.secret:
        return f"{var.name}={raw!r} is invalid: {rule}"
    # Rules name no value, but a parser's message might echo it: never for a secret.
    # (A value of a few characters could only mangle the rule's words, not leak.)
    if len(raw) >= 4:
        rule = rule.replace(raw, "<hidden>")
    return f"{var.name} is invalid (value not shown): {rule}"


def load_settings_or_exit(environ=None) -> dict:
    """For process entry points: print one clear line and exit on a bad value."""
    try:
        return load_settings(environ)
    except ConfigError as exc:
        raise SystemExit(f"chatkeep: configuration error: {exc}") from None
