"""gunicorn settings of the floor app: those of ../gunicorn.conf.py that shape request cost.

Without its own -c file gunicorn would load ./gunicorn.conf.py, whose hooks start the
embedded database: the floor must be the cheapest service, so it gets only these.
"""
import os

workers = int(os.environ.get("WEB_CONCURRENCY", 2))  # the same count as ChatKeep's (bench/procs.py sets it)
worker_class = "sync"
timeout = 30
graceful_timeout = 30
accesslog = None
loglevel = "info"
proc_name = "chatkeep-floor"
