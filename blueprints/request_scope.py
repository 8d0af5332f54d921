"""What every request does around its work, on Flask's hooks (app.py) and on the webhook
fast path (blueprints.webhook_fast_path) alike: one database deadline, a request id,
the request's mark on its database commands, and afterwards its metrics.
"""
import time
from typing import NamedTuple

import pymongo

from services import request_ids
from services.operations.metrics import in_request, observe_request

class Scope(NamedTuple):
    started: float
    deadline: object  # pymongo.timeout's context manager, entered
    in_request_token: object
    request_id: str
    request_id_token: object


def open_scope(environ: dict, db_timeout_ms: int) -> Scope:
    """Every database call of the request shares one deadline: an outage or a stalled
    server turns into a prompt 503, never a hung worker."""
    deadline = pymongo.timeout(db_timeout_ms * 2 / 1000)
    deadline.__enter__()
    request_id = request_ids.from_caller(environ.get(request_ids.WSGI_KEY))  # headers.get: 15x slower
    return Scope(time.perf_counter(), deadline, in_request.set(True), request_id,
                 request_ids.current.set(request_id))


def observe(scope: Scope, method: str, route: str, status: int) -> None:
    """The request's metrics."""
    observe_request(method, route, status, time.perf_counter() - scope.started)


def close_scope(scope: Scope) -> None:
    scope.deadline.__exit__(None, None, None)
    in_request.reset(scope.in_request_token)
    request_ids.current.reset(scope.request_id_token)
