"""Runs the nx-27017 server, with four changes to its behaviour.

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
- Each connection is served on a thread of its own (nx-27017's `--threaded` mode), not
  by its asyncio loop, which hands every command to a thread pool and back through the
  loop's self-pipe. The commands run the same handler under the same locks; per command
  the server spends 83-100 us of CPU on a ping instead of 317, 717-883 on a bulkWrite of
  eight inserts instead of 1,233-1,300, and answers in half the time (issue 26). A stop
  (SIGTERM) lets the commands already arriving or running finish (up to STOP_WAIT_S), as
  the asyncio loop's executor did, and refuses new ones on the open connections: a
  bulkWrite is not one SQLite transaction, so one cut short would leave part of it.

Arguments are nx-27017's own.
"""
import atexit
import logging
import os
import sys
import threading

from neosqlite.connection import Connection
from nx_27017 import daemon, handler, server
from nx_27017.nx_27017 import main

SYNC_ENV = "EMBEDDED_DB_SYNC"

_database_of_command = handler._msg_db_name


def _database_of_bulk_write(message) -> str:
    """The one database a bulkWrite's namespaces name; otherwise nx-27017's own choice."""
    namespaces = set()
    for _kind, section in (message.get("sections") or []) if isinstance(message, dict) else []:
        if isinstance(section, dict):
            namespaces.update(entry.get("ns", "") for entry in section.get("nsInfo") or []
                              if isinstance(entry, dict))
    databases = {namespace.partition(".")[0] for namespace in namespaces}
    if len(databases) == 1 and all(databases):
        return databases.pop()
    return _database_of_command(message)


_configure_connection = Connection._configure_connection


def _configure_connection_fully_synced(self) -> None:
    _configure_connection(self)
    self.db.execute("PRAGMA synchronous = FULL")


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
    if os.environ.get(SYNC_ENV, "normal").strip().lower() == "full":  # config.py validates it
        Connection._configure_connection = _configure_connection_fully_synced
    sys.argv[0] = "nx-27017"
    serve_threaded()
    sys.exit(main())
