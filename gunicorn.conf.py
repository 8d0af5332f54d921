"""gunicorn settings and the process lifecycle of ChatKeep.

The master (not the workers) owns process-wide work: it starts or reuses the embedded
database before any worker forks, hands its URI to the workers through the
environment, and stops it in on_exit, after every worker has finished its requests.
"""
import logging
import os
import shutil
from pathlib import Path

from config import load_settings_or_exit

settings = load_settings_or_exit()

bind = f"{settings['HOST']}:{settings['PORT']}"
workers = settings["WEB_CONCURRENCY"]
worker_class = "sync"
timeout = 30
graceful_timeout = 30
accesslog = None
loglevel = settings["LOG_LEVEL"].lower()
proc_name = "chatkeep"

# prometheus-client's multiprocess mode: set before any worker imports the client.
METRICS_DIR = Path(settings["DATA_DIR"]) / "metrics"
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)

log = logging.getLogger("chatkeep.lifecycle")


def on_starting(server):
    logging.basicConfig(level=settings["LOG_LEVEL"],
                        format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s")
    shutil.rmtree(METRICS_DIR, ignore_errors=True)
    METRICS_DIR.mkdir(parents=True, exist_ok=True)
    if settings["MONGODB_URI"]:
        from models.db import redact

        log.info("database: MongoDB at %s", redact(settings["MONGODB_URI"]))
        return
    from services import embedded_db

    uri = embedded_db.ensure_running(settings["DATA_DIR"], owner_pid=os.getpid())
    os.environ[embedded_db.URI_ENV] = uri
    log.info("database: embedded nx-27017 at %s, files in %s/db (development default; "
             "set MONGODB_URI to use MongoDB in production)", uri, settings["DATA_DIR"])


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if settings["MONGODB_URI"]:
        return
    from services import embedded_db

    embedded_db.stop_if_owner(settings["DATA_DIR"], os.getpid())
