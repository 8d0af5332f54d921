"""Runs the nx-27017 server, with three changes to its behaviour.

- Its per-command INFO log is turned down to warnings: under real traffic it fills
  DATA_DIR with log lines and costs CPU on every request.
- A bulkWrite command takes the lock of the database it writes to. nx-27017 (0.8.1)
  serialises every command under the lock of its `$db`, and bulkWrite is always sent
  to `admin`, so it ran beside the target database's other commands on their shared
  SQLite connection. Seen under racing inserts of one message: "Failed to get last
  row id." (error 8) instead of a duplicate key (tests/integration/test_concurrency.py).
- With EMBEDDED_DB_SYNC=full, every SQLite connection commits with
  `synchronous=FULL`: the write-ahead log is fsynced at each commit, so an acknowledged
  write survives a power loss, not only a crash of the process. nx-27017 otherwise runs
  WAL with `synchronous=NORMAL`, which a kill -9 cannot hurt but a power loss can
  (the last commits before it may be lost). The cost is measured in docs/PERFORMANCE.md.

Arguments are nx-27017's own.
"""
import logging
import os
import sys

from neosqlite.connection import Connection
from nx_27017 import handler
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


if __name__ == "__main__":
    logging.getLogger("nx_27017").setLevel(logging.WARNING)
    handler._msg_db_name = _database_of_bulk_write
    if os.environ.get(SYNC_ENV, "full").strip().lower() != "normal":  # config.py validates it
        Connection._configure_connection = _configure_connection_fully_synced
    sys.argv[0] = "nx-27017"
    sys.exit(main())
