"""Tell gunicorn's master that a worker busy on one long response is alive.

gunicorn's sync worker tells the master it is alive only between requests; a worker
that spends longer than `timeout` (30 s) on one request is killed as stuck, which would
cut a long export off mid-stream. The export calls `beat()` after each batch it sends:
the master then kills a worker only when a batch itself takes longer than `timeout`
(a stalled database, a client that stopped reading), which is what the timeout is for.
"""
from collections.abc import Callable

WORKER_TIMEOUT_S = 30  # gunicorn's `timeout` (gunicorn.conf.py)
REQUEST_CALL_LIMIT_S = WORKER_TIMEOUT_S - 5  # a call a request waits for (no beat meanwhile) ends before it
_notify: Callable[[], None] | None = None


def install(notify: Callable[[], None]) -> None:
    """Called by gunicorn.conf.py's post_worker_init with the worker's notify."""
    global _notify
    _notify = notify


def beat() -> None:
    if _notify is not None:
        _notify()
