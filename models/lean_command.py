"""A write command sent with less of the driver around it: the ingest path's bulkWrite.

`Database.command` costs about 175 us of client CPU per round trip on this machine; the
webhook's one bulkWrite is most of a webhook's database work on the app's side (issue 26).
About 45 us of that are an implicit session, checked out and returned for every command,
and the `$clusterTime` a session gossips. This command needs neither: it is never retried
(no transaction number to carry), nor read back causally (the next read is the primary's).

So it takes a connection to the primary as pymongo's own write operations do, and runs the
command on it. Server selection, the pool, authentication, TLS, the per-operation timeout
(`pymongo.timeout`), the handling of network errors (the server marked unknown, the pool
cleared) and the client's command listeners all stay pymongo's.

That is pymongo's private API (`MongoClient._conn_for_writes`, `Connection.command`),
pinned in requirements.txt. Should an upgrade remove `_conn_for_writes`, commands go
through `Database.command` as before, with one warning in the log, and
tests/every_tier/test_lean_command.py fails so that the upgrade is noticed (a changed
`Connection.command` would fail every write, and every ingest test with it).
"""
import logging

from pymongo import MongoClient

log = logging.getLogger(__name__)
_unavailable = False  # set once the private API proved missing


def write_command(client: MongoClient, database: str, command: dict) -> dict:
    """Run `command` (a write, not retried) on the primary; its reply, checked as
    `Database.command` checks it (OperationFailure for `ok: 0`)."""
    if not _unavailable:
        try:
            checkout = client._conn_for_writes(None, next(iter(command)))
        except AttributeError as exc:
            _give_up(exc)
        else:
            with checkout as connection:
                return connection.command(database, command)
    return client[database].command(command)


def lean(client: MongoClient) -> bool:
    """Whether commands to `client` take the lean way (tests)."""
    return not _unavailable and callable(getattr(client, "_conn_for_writes", None))


def _give_up(exc: Exception) -> None:
    global _unavailable
    _unavailable = True
    log.warning("pymongo's private connection API moved (%s): write commands go through "
                "Database.command, about 45 us more per webhook", exc)
