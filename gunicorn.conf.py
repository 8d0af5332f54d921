"""gunicorn settings and the process lifecycle of ChatKeep.

The master owns process-wide work: before any worker forks it makes what the
processes create under DATA_DIR private (umask), loads SECRET_KEY (generating the
development key once), starts or reuses the embedded database, restores the newest
good snapshot when the database holds no ChatKeep data at all (or a restore was cut
off), and seals tenants' secrets stored in clear by an older version (and re-encrypts
secrets after a SECRET_KEY rotation); a SECRET_KEY that does not open what the
deployment encrypted stops it there (services.key_check); in on_exit,
after every worker has finished its requests, it writes the one final snapshot
(unless SNAPSHOT_ON_SHUTDOWN is false) and only then stops the embedded database. Workers each run the scheduler
(post_worker_init); leases let one process take each scheduled job.
gunicorn's own signal handling is left as it is: SIGTERM/SIGINT to the master or to
the whole process group ends in on_exit either way.
"""
import logging
import os
import shutil
from pathlib import Path

from config import load_settings_or_exit
from services.operations.heartbeat import WORKER_TIMEOUT_S

settings = load_settings_or_exit()

bind = f"{settings['HOST']}:{settings['PORT']}"
workers = settings["WEB_CONCURRENCY"]
worker_class = "sync"
timeout = WORKER_TIMEOUT_S
graceful_timeout = 30
accesslog = None
loglevel = settings["LOG_LEVEL"].lower()
proc_name = "chatkeep"
# gunicorn's control socket (for `gunicornc`) is one per user by default
# ($HOME/.gunicorn/gunicorn.ctl): a second service on the machine took it over from the
# first, and stopping either removed it. One per DATA_DIR, like the rest of a service's files.
control_socket = str(Path(settings["DATA_DIR"]) / "gunicorn.ctl")

# prometheus-client's multiprocess mode: set before any worker imports the client.
METRICS_DIR = Path(settings["DATA_DIR"]) / "metrics"
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)

log = logging.getLogger("chatkeep.lifecycle")


def _database_uri() -> str:
    from services.operations import embedded_db

    return settings["MONGODB_URI"] or os.environ[embedded_db.URI_ENV]


def on_starting(server):
    from app import configure_logging

    from services import private_files, secret_box

    configure_logging(settings["LOG_LEVEL"])
    private_files.restrict_umask()  # inherited by workers, snapshot children, prometheus-client's files
    private_files.close_existing(settings["DATA_DIR"])  # what an older version left open
    secret_box.configure(settings["SECRET_KEY"], settings["DATA_DIR"])
    shutil.rmtree(METRICS_DIR, ignore_errors=True)
    private_files.private_dir(METRICS_DIR)
    from services.tenancy.tenant_cache import last_known

    last_known.seal_files(Path(settings["DATA_DIR"]) / "tenant-cache")
    from models.db import redact

    if settings["MONGODB_URI"]:
        log.info("database: MongoDB at %s", redact(settings["MONGODB_URI"]))
    else:
        from services.operations import embedded_db

        uri = embedded_db.ensure_running(settings["DATA_DIR"], owner_pid=os.getpid())
        os.environ[embedded_db.URI_ENV] = uri
        log.info("database: embedded nx-27017 at %s, files in %s/db (development default; "
                 "set MONGODB_URI to use MongoDB in production)", uri, settings["DATA_DIR"])
    _prepare_store()


def _prepare_store():
    from models.db import connect, disconnect
    from services.key_check import SecretKeyMismatch, check_secret_key
    from services.operations.metrics import CommandCounter
    from services.operations import stored_secrets
    from services.operations.restore import restore_on_startup

    connect(_database_uri(), settings["DB_TIMEOUT_MS"], [CommandCounter()])
    try:
        check_secret_key(shared_database=bool(settings["MONGODB_URI"]))  # before anything is written
        restored = restore_on_startup(settings["DATA_DIR"])  # logs what it restores, from where
        if not restored:  # a restore has done it
            stored_secrets.settle()  # re-encrypted after a rotation; logs those SECRET_KEY cannot open
    except SecretKeyMismatch as exc:
        log.critical("%s", exc)
        if not settings["MONGODB_URI"]:
            from services.operations import embedded_db

            embedded_db.stop_if_owner(settings["DATA_DIR"], os.getpid())
        raise  # gunicorn prints it ("Error: SECRET_KEY does not open ...") and exits 1
    finally:
        disconnect()  # workers must not inherit the master's client across fork


def post_worker_init(worker):
    from services.operations import heartbeat, scheduler

    heartbeat.install(worker.notify)  # a long export tells the master it is alive (sync workers)
    worker.chatkeep_scheduler = scheduler.start(worker.wsgi)


def worker_exit(server, worker):
    from services.operations import scheduler

    running = getattr(worker, "chatkeep_scheduler", None)
    if running is not None:
        scheduler.stop(running, worker.wsgi)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    try:
        if settings["SNAPSHOT_ON_SHUTDOWN"]:
            _final_snapshot()
        else:  # several hosts: one of them writes final snapshots (docs/DEPLOY.md)
            log.info("no final snapshot: SNAPSHOT_ON_SHUTDOWN is false")
    finally:
        if not settings["MONGODB_URI"]:
            from services.operations import embedded_db

            embedded_db.stop_if_owner(settings["DATA_DIR"], os.getpid())


def _final_snapshot():
    from models.db import connect, disconnect
    from services.operations.metrics import CommandCounter
    from services.operations.snapshots import take_snapshot

    try:
        connect(_database_uri(), settings["DB_TIMEOUT_MS"], [CommandCounter()])
        manifest = take_snapshot(settings["DATA_DIR"], "shutdown", settings["SNAPSHOT_KEEP"])
        log.info("final snapshot %s written", manifest["generation"])
    except Exception as exc:  # whatever failed, the embedded database must still be stopped
        log.error("final snapshot failed: %s", exc)
    finally:
        disconnect()
