"""Request ids: each HTTP request's id, in its response header, its log lines and its
problem bodies, so one request can be followed through a proxy's log and ours.

The caller's `X-Request-Id` is kept when it is a plain token (bounded, no spaces or
control characters, so it cannot forge or split a log line); otherwise one is made:
a random prefix per process and a counter, unique without a uuid4 per request.
"""
import itertools
import logging
import os
import re
import secrets
from contextvars import ContextVar

HEADER = "X-Request-Id"
WSGI_KEY = "HTTP_X_REQUEST_ID"  # the header as the WSGI environ holds it
MAX_LENGTH = 128
ACCEPTED = re.compile(r"[A-Za-z0-9._:@/+=-]{1,%d}" % MAX_LENGTH)
NONE = "-"  # what log lines outside a request show

current: ContextVar[str | None] = ContextVar("chatkeep_request_id", default=None)
_prefix = secrets.token_hex(6)
_counter = itertools.count(1)


def _reseed() -> None:
    """A forked worker makes ids of its own, not its master's sequence."""
    global _prefix, _counter
    _prefix, _counter = secrets.token_hex(6), itertools.count(1)


os.register_at_fork(after_in_child=_reseed)


def from_caller(value: str | None) -> str:
    """The caller's id if it is acceptable, else a new one."""
    if value and ACCEPTED.fullmatch(value):
        return value
    return f"{_prefix}-{next(_counter):x}"


class RequestIdFilter(logging.Filter):
    """Gives every log record a `request_id` (NONE outside a request) for the log format."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get() or NONE
        return True
