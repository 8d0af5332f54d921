"""Connecting MongoEngine to the configured database (or mongomock in unit tests)."""
import logging
import re

import mongoengine
import pymongo
from pymongo import monitoring
from pymongo.uri_parser import parse_uri

from services.metrics import DB_COMMANDS, in_request

log = logging.getLogger(__name__)

DEFAULT_DB_NAME = "chatkeep"


def redact(uri: str) -> str:
    """The URI without its password, fit for a log line."""
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", uri)


class CommandCounter(monitoring.CommandListener):
    """Counts every command the driver sends (authentication included) for /metrics."""

    def __init__(self):
        self._counters = {}  # (command, origin) -> labelled child: labels() is costly per call

    def started(self, event):
        key = (event.command_name, "request" if in_request.get() else "background")
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = DB_COMMANDS.labels(*key)
        counter.inc()

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def connect(uri: str, timeout_ms: int) -> None:
    """(Re)bind MongoEngine's default alias to `uri`.

    `mongomock://` selects mongomock (unit tests). The short server-selection timeout
    is what turns a database outage into a prompt 503 instead of a hung request.
    """
    mongoengine.disconnect_all()
    if uri.startswith("mongomock://"):
        import mongomock

        name = uri.split("/", 3)[3] if uri.count("/") >= 3 and uri.split("/", 3)[3] else DEFAULT_DB_NAME
        mongoengine.connect(db=name, host="mongodb://localhost", mongo_client_class=mongomock.MongoClient,
                            uuidRepresentation="standard")
        return
    name = parse_uri(uri).get("database") or DEFAULT_DB_NAME
    mongoengine.connect(db=name, host=uri, serverSelectionTimeoutMS=timeout_ms,
                        connectTimeoutMS=timeout_ms, socketTimeoutMS=max(timeout_ms * 3, 10000),
                        uuidRepresentation="standard", tz_aware=False, event_listeners=[CommandCounter()])


def disconnect() -> None:
    mongoengine.disconnect_all()


def database():
    return mongoengine.get_db()


def ping(timeout_s: float) -> None:
    """A round trip bounded by `timeout_s`, even against a stalled server."""
    with pymongo.timeout(timeout_s):
        database().command("ping")
