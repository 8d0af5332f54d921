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
  and forgotten at once when a command through it fails (a failover, a network error).

Everything else stays pymongo's: it takes a connection to the primary as pymongo's own
write operations do, and runs the command on it. The pool, authentication, TLS, the
per-operation timeout (`pymongo.timeout`) and the handling of errors (the server marked
unknown, the pool cleared) are the driver's.

That is pymongo's private API (`MongoClient._select_server`, `MongoClient._checkout`,
`Connection.command`), pinned in requirements.txt. Should an upgrade remove it, commands
go through `Database.command` as before, with one warning in the log, and
tests/every_tier/test_lean_command.py fails so that the upgrade is noticed (a changed
`Connection.command` would fail every write, and every ingest test with it).
"""
import logging
import os
import time
from typing import NamedTuple

from pymongo import MongoClient
from pymongo.errors import PyMongoError
from pymongo.server_selectors import writable_server_selector

log = logging.getLogger(__name__)
PRIMARY_REUSE_S = 1.0
_unavailable = False  # set once the private API proved missing


class _Selection(NamedTuple):
    client: MongoClient
    primary: object  # the driver's Server
    until: float  # monotonic
    counters: tuple  # the client's listeners if they only count, else ()


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
            primary, counters = _primary(client, name)
            checkout = client._checkout(primary, None)
        except AttributeError as exc:
            _give_up(exc)
        else:
            try:
                with checkout as connection:
                    for counter in counters:
                        counter.count(name)
                    return connection.command(database, command, publish_events=not counters)
            except PyMongoError:
                _forget()  # a failover or a lost server: select again next time
                raise
    return client[database].command(command)


def lean(client: MongoClient) -> bool:
    """Whether commands to `client` take the lean way (tests)."""
    return not _unavailable and all(callable(getattr(client, name, None)) for name in ("_select_server", "_checkout"))


def _primary(client: MongoClient, name: str) -> tuple:
    """(the primary's Server, the counting listeners: empty if any listener wants events)."""
    global _last
    now = time.monotonic()
    last = _last
    if last is not None and last.client is client and last.until > now:
        return last.primary, last.counters
    primary = client._select_server(writable_server_selector, None, name)
    listeners = client.options.event_listeners
    counters = tuple(listeners) if all(callable(getattr(x, "count", None)) for x in listeners) else ()
    _last = _Selection(client, primary, now + PRIMARY_REUSE_S, counters)
    return primary, counters


def _give_up(exc: Exception) -> None:
    global _unavailable
    _unavailable = True
    log.warning("pymongo's private connection API moved (%s): write commands go through "
                "Database.command, about 90 us more per webhook", exc)
