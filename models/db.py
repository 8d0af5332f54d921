"""Connecting MongoEngine to the configured database (or mongomock in unit tests)."""
import logging
import re

import mongoengine
import pymongo
from pymongo.uri_parser import parse_uri

log = logging.getLogger(__name__)

DEFAULT_DB_NAME = "chatkeep"


def redact(uri: str) -> str:
    """The URI without its password, fit for a log line."""
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", uri)


_connected_uri = None


def connect(uri: str, timeout_ms: int, listeners=()) -> None:
    """(Re)bind MongoEngine's default alias to `uri`.

    `mongomock://` selects mongomock (unit tests). The short server-selection timeout
    is what turns a database outage into a prompt 503 instead of a hung request.
    `listeners`: pymongo command listeners (the metrics' command counter).
    """
    global _connected_uri
    mongoengine.disconnect_all()
    _connected_uri = uri
    if uri.startswith("mongomock://"):
        import mongomock

        name = uri.split("/", 3)[3] if uri.count("/") >= 3 and uri.split("/", 3)[3] else DEFAULT_DB_NAME
        mongoengine.connect(db=name, host="mongodb://localhost", mongo_client_class=mongomock.MongoClient,
                            uuidRepresentation="standard")
        return
    name = parse_uri(uri).get("database") or DEFAULT_DB_NAME
    mongoengine.connect(db=name, host=uri, serverSelectionTimeoutMS=timeout_ms,
                        connectTimeoutMS=timeout_ms, socketTimeoutMS=max(timeout_ms * 3, 10000),
                        uuidRepresentation="standard", tz_aware=False, event_listeners=list(listeners))


def current_uri() -> str:
    """The URI of the current connection (child processes connect to the same database)."""
    if _connected_uri is None:
        raise RuntimeError("not connected to a database")
    return _connected_uri


def disconnect() -> None:
    mongoengine.disconnect_all()


def database():
    return mongoengine.get_db()


def ping(timeout_s: float) -> None:
    """A round trip bounded by `timeout_s`, even against a stalled server."""
    with pymongo.timeout(timeout_s):
        database().command("ping")
