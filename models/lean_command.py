"""A write command sent with less of the driver around it: the ingest path's bulkWrite.

`Database.command` costs about 175 us of client CPU per round trip on this machine; the
webhook's one bulkWrite is most of a webhook's database work on the app's side (issue 26).
A raw round trip (OP_MSG over the socket) costs about 30. What this module leaves out:

- the implicit session, checked out and returned for every command, and the
  `$clusterTime` it gossips (about 45 us): this command is never retried (no transaction
  number to carry), nor read back causally (the next read is the primary's);
- the command monitoring events (about 25 us), when every command listener of the client
  only counts commands (it has `count(command_name)`, as the metrics' counter does): each
  is told the command's name directly, and nothing else listens;
- server selection (about 20 us): the primary selected is reused for PRIMARY_REUSE_S,
  and forgotten at once when a command through it fails (a failover, a network error);
- for a client whose connections are plain (models.plain_wire: the embedded database, a
  MongoDB without TLS or authentication) and whose listeners only count, the pool and
  the command runner too (about 55 us): the command goes as one message over the
  thread's own connection (models.plain_wire). A failure through it also asks the
  driver to check the server at once (the pool's error handling would have).

Otherwise the command takes a connection to the primary as pymongo's own write
operations do, and runs on it: the pool, authentication, TLS, the per-operation timeout
(`pymongo.timeout`) and the handling of errors (the server marked unknown, the pool
cleared) are the driver's.

That is pymongo's private API (`MongoClient._select_server`, `MongoClient._checkout`,
`Connection.command`, and what models.plain_wire reads), pinned in requirements.txt.
Should an upgrade remove it, commands go through `Database.command` as before, with one
warning in the log, and tests/every_tier/test_lean_command.py and test_plain_wire.py fail
so that the upgrade is noticed (a changed `Connection.command` would fail every write,
and every ingest test with it).
"""
import logging
import os
import time
from typing import NamedTuple

from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError
from pymongo.server_selectors import writable_server_selector

from models import plain_wire

log = logging.getLogger(__name__)
PRIMARY_REUSE_S = 1.0
_unavailable = False  # set once the private API proved missing


class _Selection(NamedTuple):
    client: MongoClient
    primary: object  # the driver's Server
    until: float  # monotonic
    counters: tuple  # the client's listeners if they only count, else ()
    plain: bool  # the command goes over the thread's own connection (models.plain_wire)


# The last client's selection: one client per process in the service; another client
# selects afresh, and so does a forked child (its driver's servers are not its parent's).
_last: _Selection | None = None


def _forget() -> None:
    global _last
    _last = None


os.register_at_fork(after_in_child=_forget)


def write_command(client: MongoClient, database: str, command: dict) -> dict:
    """Run `command` (a write, not retried) on the primary; its reply, checked as
    `Database.command` checks it (OperationFailure for `ok: 0`)."""
    name = next(iter(command))
    if not _unavailable:
        try:
            selection = _selection(client, name)
            checkout = None if selection.plain else client._checkout(selection.primary, None)
        except AttributeError as exc:
            _give_up(exc)
        else:
            for counter in selection.counters:
                counter.count(name)
            try:
                if checkout is None:
                    description = selection.primary.description
                    return plain_wire.command(client, description.address, database, command,
                                              description.max_wire_version)
                with checkout as connection:
                    return connection.command(database, command, publish_events=not selection.counters)
            except PyMongoError as exc:
                _forget()  # a failover or a lost server: select again next time
                if checkout is None and not isinstance(exc, OperationFailure):  # not an `ok: 0` of its own
                    selection.primary.request_check()  # not primary, or gone: as the pool's error handling does
                raise
    return client[database].command(command)


def lean(client: MongoClient) -> bool:
    """Whether commands to `client` take the lean way (tests)."""
    return not _unavailable and all(callable(getattr(client, name, None)) for name in ("_select_server", "_checkout"))


def _selection(client: MongoClient, name: str) -> _Selection:
    """The primary, the counting listeners (empty if any listener wants events) and the
    way to it: the last selection while it is fresh, else a new one."""
    global _last
    now = time.monotonic()
    last = _last
    if last is not None and last.client is client and last.until > now:
        return last
    primary = client._select_server(writable_server_selector, None, name)
    listeners = client.options.event_listeners
    counting = all(callable(getattr(x, "count", None)) for x in listeners)
    counters = tuple(listeners) if counting else ()
    _last = _Selection(client, primary, now + PRIMARY_REUSE_S, counters, counting and plain_wire.plain(client))
    return _last


def _give_up(exc: Exception) -> None:
    global _unavailable
    _unavailable = True
    log.warning("pymongo's private connection API moved (%s): write commands go through "
                "Database.command, about 90 us more per webhook", exc)
