"""Runs the nx-27017 server, with seven changes to its behaviour.

- Its per-command INFO log is turned down to warnings: under real traffic it fills
  DATA_DIR with log lines and costs CPU on every request.
- A bulkWrite command takes the lock of the database it writes to. nx-27017 (0.8.1)
  serialises every command under the lock of its `$db`, and bulkWrite is always sent
  to `admin`, so it ran beside the target database's other commands on their shared
  SQLite connection. Seen under racing inserts of one message: "Failed to get last
  row id." (error 8) instead of a duplicate key (tests/integration/test_concurrency.py).
- With EMBEDDED_DB_SYNC=full, every SQLite connection commits with
  `synchronous=FULL`: the write-ahead log is fsynced at each commit, so an acknowledged
  write survives a power loss, not only a crash of the process. The default keeps
  nx-27017's WAL with `synchronous=NORMAL`, which a kill -9 cannot hurt but a power loss
  can (the last commits before it may be lost): FULL cost 20-45 % of the write
  throughput and doubled the webhooks' p99 while a snapshot runs (docs/PERFORMANCE.md).
- An update that only `$set`s fields to the values they hold writes nothing, as on
  MongoDB. nx-27017 rewrote the row and all its indexes: the status write's guard is such
  an update, and skipping it took a status webhook's database CPU from 900-927 us to
  727-753 (issue 26).
- An ordered write command (insert, update, delete, bulkWrite) to one database is one
  SQLite transaction, not one per document: each commit wrote the index pages it touched
  to the write-ahead log again. An inbound message's database CPU fell from a median
  1,893 us to 1,493 (five alternations each, in-process; issue 26). Before a failing
  write, the writes are kept, as on MongoDB.
- A document that json writes as it is (str keys; str, int, float, bool, None, dict and
  list values) is inserted as neosqlite inserts it, the same row, without its deep copy,
  its walk for bytes and its `SELECT json_valid(?)` of the text json just wrote: an
  inbound message's database CPU over the wire fell from 1,433-2,033 us to 1,067-1,367
  (three alternations; issue 26). Anything else is neosqlite's insert.
- Each connection is served on a thread of its own (nx-27017's `--threaded` mode), not
  by its asyncio loop, which hands every command to a thread pool and back through the
  loop's self-pipe. The commands run the same handler under the same locks; per command
  the server spends 83-100 us of CPU on a ping instead of 317, 717-883 on a bulkWrite of
  eight inserts instead of 1,233-1,300, and answers in half the time (issue 26). A stop
  (SIGTERM) lets the commands already arriving or running finish (up to STOP_WAIT_S), as
  the asyncio loop's executor did, and refuses new ones on the open connections: an
  unordered write is a transaction per document, so one cut short would leave part of
  it, and a client would lose the reply to a write that was made.

Arguments are nx-27017's own.
"""
import atexit
import json
import logging
import os
import sqlite3
import sys
import threading

from neosqlite.collection.query_helper import QueryHelper
from neosqlite.connection import Connection
from neosqlite.sql_utils import quote_table_name
from nx_27017 import daemon, handler, server
from nx_27017.nx_27017 import main

SYNC_ENV = "EMBEDDED_DB_SYNC"

_database_of_command = handler._msg_db_name


def _the_one_database(ns_info) -> str | None:
    """The one database a bulkWrite's namespaces (`nsInfo`) name, if they name one."""
    databases = {entry.get("ns", "").partition(".")[0] for entry in ns_info or [] if isinstance(entry, dict)}
    return databases.pop() if len(databases) == 1 and all(databases) else None


def _sections(message) -> list[dict]:
    """An OP_MSG's body and document sequences, as nx-27017 parsed them."""
    sections = (message.get("sections") or []) if isinstance(message, dict) else []
    return [section for _kind, section in sections if isinstance(section, dict)]


def _ns_info(message) -> list:
    """A bulkWrite's namespaces, in its body or in a document sequence."""
    return [entry for section in _sections(message) for entry in section.get("nsInfo") or []]


def _database_of_bulk_write(message) -> str:
    """The one database a bulkWrite's namespaces name; otherwise nx-27017's own choice."""
    return _the_one_database(_ns_info(message)) or _database_of_command(message)


_configure_connection = Connection._configure_connection


def _configure_connection_fully_synced(self) -> None:
    _configure_connection(self)
    self.db.execute("PRAGMA synchronous = FULL")


def _unchanged(value, stored) -> bool:
    """Whether `$set` of the scalar `value` over `stored` leaves the stored JSON as it is
    (1 and True, 1 and 1.0 are different values there)."""
    def kind(x):
        return int if isinstance(x, int) and not isinstance(x, bool) else type(x)  # bson's Int64 is an int
    return kind(value) in (str, int, type(None)) and kind(value) is kind(stored) and value == stored


_internal_update = QueryHelper._internal_update


def _internal_update_skipping_no_ops(self, doc_id, update_spec, original_doc, *args, **kwargs):
    """An update that only `$set`s top-level fields to the values they hold writes
    nothing, as MongoDB's does (`nModified: 0`). nx-27017 rewrote the row, and every
    index of its collection with it: the ingest's status write guards its event with such
    an update (services.messaging.messages.record_status)."""
    if (isinstance(update_spec, dict) and set(update_spec) == {"$set"} and update_spec["$set"]
            and all("." not in field and field in original_doc and _unchanged(value, original_doc[field])
                    for field, value in update_spec["$set"].items())):
        return original_doc, False
    return _internal_update(self, doc_id, update_spec, original_doc, *args, **kwargs)


_internal_insert = QueryHelper._internal_insert


def _refuse(value):
    raise TypeError(f"{type(value).__name__} is neosqlite's to encode")


# neosqlite writes a document with json.dumps(document, cls=NeoSQLiteJSONEncoder): json's
# defaults and a `default` for its own types. The same settings without that `default`
# and without NaN write the same text for every document they accept.
_PLAIN_JSON = json.JSONEncoder(allow_nan=False, default=_refuse)
_INSERTS: dict[str, str] = {}  # collection -> its INSERT, as neosqlite words it


def _internal_insert_plain(self, document):
    """neosqlite's insert of a plain document with its `_id`, for less. Its deep copy is
    not needed (nx-27017 hands over a fresh copy, and `deepcopy` rebuilds each of the
    wire's Int64 through `__reduce_ex__`), nor is its walk for bytes; SQLite re-checks
    json's text only where it might refuse it (an escaped lone surrogate)."""
    if type(document) is not dict or document.get("_id") is None:
        return _internal_insert(self, document)
    try:
        text = _PLAIN_JSON.encode(document)
    except (TypeError, ValueError, RecursionError):  # not plain, NaN or infinity, too deep
        return _internal_insert(self, document)
    if "\\ud" in text and not self._validate_json_document(text):
        return _internal_insert(self, document)  # which refuses it, as it always has
    name = self.collection.name
    insert = _INSERTS.get(name) or _INSERTS.setdefault(
        name, f"INSERT INTO {quote_table_name(name)}(data, _id) VALUES (?, ?)")
    if self.collection.db.execute(insert, (text, str(document["_id"]))).lastrowid is None:
        raise sqlite3.Error("Failed to get last row id.")
    return document["_id"]


WRITE_COMMANDS = frozenset({"insert", "update", "delete", "bulkWrite"})


def _database_written(message) -> str | None:
    """The database an ordered write command writes to: the one whose lock it holds
    (_database_of_bulk_write); None for any other command, or a bulkWrite to several."""
    body = next(iter(_sections(message)), {})
    command = next(iter(body), None)
    if command not in WRITE_COMMANDS or body.get("ordered", True) is False or "autocommit" in body:
        return None  # unordered writes go on past a failure; a session's transaction is its own
    if command == "bulkWrite":
        return _the_one_database(_ns_info(message))  # as _database_of_bulk_write locks it, None for several
    return _database_of_command(message)


def _in_one_transaction(handle):
    """An ordered write command to one database runs in one SQLite transaction. nx-27017
    ran each of its writes as a transaction of its own: each commit wrote the pages it
    touched to the write-ahead log, the same index pages again and again (a message, its
    event, its conversation and its search terms; a batch of events marked published).
    One transaction writes them once. A failing write (a duplicate key) undoes only
    itself, as SQLite undoes a failed statement, and the writes before it are committed,
    as MongoDB keeps them. Should SQLite have given up the whole transaction (a full disk,
    an I/O error), or the commit fail, the reply is an error: nothing is acknowledged that
    is not stored. `handle` runs under the database's lock (nx-27017's _serialize)."""
    def handled(self, message):
        database = _database_written(message)
        connection = self.get_database(database).db if database else None
        if connection is None or connection.in_transaction:
            return handle(self, message)
        connection.execute("BEGIN")
        try:
            request_id, reply = handle(self, message)
        except BaseException:
            if connection.in_transaction:
                connection.rollback()
            raise
        try:
            if not connection.in_transaction:
                raise sqlite3.OperationalError("the transaction was rolled back")
            connection.commit()
        except sqlite3.Error as exc:
            if connection.in_transaction:
                connection.rollback()
            return request_id, {"ok": 0, "code": 1, "codeName": "InternalError", "errmsg": f"write not stored: {exc}"}
        return request_id, reply
    return handled


_conn_is_busy = handler.NeoSQLiteHandler._conn_is_busy


def _conn_is_busy_or_writing(self, db_name: str) -> bool:
    """nx-27017's own test (a session's transaction, a change stream), and a transaction
    of ours: a database in use is not closed to make room for another."""
    connection = self._conns.get(db_name)
    return _conn_is_busy(self, db_name) or (connection is not None and connection.db.in_transaction)


class CommandsInFlight:
    """Counts the messages being served, from their first byte to their reply, so that a
    stop can wait for them. Counting from the first byte, not from the handler, takes in
    the reading and parsing of a large message (0.1 s for 60,000 documents here, more on
    a loaded machine). Once the stop has begun, a message that starts arriving is
    refused: its connection is closed unread, and the client can retry it elsewhere."""

    def __init__(self):
        self._count = 0
        self._stopping = False
        self._changed = threading.Condition()

    def serving(self, serve_connection):
        def served(client_socket, *args):
            connection = _CountedConnection(client_socket, self)
            try:
                return serve_connection(connection, *args)
            finally:
                connection.replied()  # a connection that ended owing its reply owes none
        return served

    def started(self) -> bool:
        """Whether a message may start; counted if so."""
        with self._changed:
            if self._stopping:
                return False
            self._count += 1
            return True

    def finished(self) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def refuse_new(self) -> None:
        with self._changed:
            self._stopping = True

    def stop(self, timeout_s: float) -> bool:
        """Refuses new messages and waits up to `timeout_s` for the running ones; whether
        none is left."""
        self.refuse_new()
        with self._changed:
            return self._changed.wait_for(lambda: self._count == 0, timeout_s)


class _CountedConnection:
    """A connection's socket that tells CommandsInFlight when a message starts arriving
    and when its reply went out. nx-27017 serves a connection's messages one after the
    other, on the connection's own thread."""

    def __init__(self, client_socket, in_flight: CommandsInFlight):
        self._socket, self._in_flight = client_socket, in_flight
        self._owing = False

    def recv(self, size: int) -> bytes:
        data = self._socket.recv(size)
        if data and not self._owing:
            if not self._in_flight.started():
                return b""  # nx-27017 reads it as a closed connection and closes it
            self._owing = True
        return data

    def sendall(self, data: bytes) -> None:
        try:
            self._socket.sendall(data)
        finally:
            self.replied()

    def replied(self) -> None:
        if self._owing:
            self._owing = False
            self._in_flight.finished()

    def __enter__(self):
        self._socket.__enter__()
        return self

    def __exit__(self, *exc):
        return self._socket.__exit__(*exc)

    def __getattr__(self, name):  # whatever else nx-27017 may ask of its socket
        return getattr(self._socket, name)


STOP_WAIT_S = 10  # under embedded_db.STOP_TIMEOUT_S, after which the service kills the server


def serve_threaded() -> None:
    """Threaded mode, with the messages running at exit waited for. The connections'
    threads are daemons, which the interpreter abandons at exit: an atexit function runs
    while they still do."""
    if "--threaded" not in sys.argv:
        sys.argv.append("--threaded")
    in_flight = CommandsInFlight()
    server.handle_client_threaded = in_flight.serving(server.handle_client_threaded)
    exit_on_signal = daemon._signal_exit_handler

    def refuse_then_exit(signum, frame):  # refused from the signal on, before the listener closes
        in_flight.refuse_new()
        exit_on_signal(signum, frame)
    daemon._signal_exit_handler = refuse_then_exit
    atexit.register(in_flight.stop, STOP_WAIT_S)


if __name__ == "__main__":
    logging.getLogger("nx_27017").setLevel(logging.WARNING)
    handler._msg_db_name = _database_of_bulk_write
    QueryHelper._internal_update = _internal_update_skipping_no_ops
    QueryHelper._internal_insert = _internal_insert_plain
    for name in ("handle_command", "handle_insert"):  # inside nx-27017's lock: its own function, wrapped again
        unlocked = getattr(handler.NeoSQLiteHandler, name).__wrapped__
        setattr(handler.NeoSQLiteHandler, name, handler._serialize(_in_one_transaction(unlocked)))
    handler.NeoSQLiteHandler._conn_is_busy = _conn_is_busy_or_writing
    if os.environ.get(SYNC_ENV, "normal").strip().lower() == "full":  # config.py validates it
        Connection._configure_connection = _configure_connection_fully_synced
    sys.argv[0] = "nx-27017"
    serve_threaded()
    sys.exit(main())
