"""models.plain_wire through models.lean_command, on the wire tiers: a plain client whose
listeners only count writes over the thread's own connection, with the driver's replies
and refusals; a connection the server closed is opened again before it is used; a
stalled server times out as the driver's NetworkTimeout within `pymongo.timeout`, and
the command is not sent twice; a failure asks the driver to check the server; a forked
child opens its own connection; clients with TLS, credentials or compression keep the
driver's pool. The connection tests go through a loopback relay that can cut or hold
what passes (nx-27017 behind it)."""
import os
import socket
import threading
from urllib.parse import urlparse

import pymongo
import pytest
from pymongo import MongoClient, monitoring
from pymongo.errors import AutoReconnect, NetworkTimeout, OperationFailure
from pymongo.synchronous.server import Server

from models import lean_command, plain_wire
from services.errors import database_unavailable


class Counter(monitoring.CommandListener):
    """A listener that only counts, as services.operations.metrics.CommandCounter."""

    def __init__(self):
        self.counted = []

    def count(self, command_name):
        self.counted.append(command_name)

    def started(self, event):
        self.count(event.command_name)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


class Relay:
    """A loopback TCP relay to `target`: `cut()` closes every connection through it (as a
    restarted server does), `hold()` stops passing bytes on (a stalled server)."""

    def __init__(self, target: tuple):
        self.target, self.held, self.accepted = target, threading.Event(), []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.accepted.append((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pass, args=(source, sink), daemon=True).start()

    def _pass(self, source, sink):
        try:
            while data := source.recv(65536):
                if self.held.is_set():
                    continue  # swallowed: the reply never comes
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            end.close()

    def cut(self):
        for pair in self.accepted:
            for end in pair:
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:  # closed already by its passing thread
                    pass
        self.accepted.clear()

    def hold(self):
        self.held.set()

    def close(self):
        self.listener.close()
        self.cut()


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(lean_command, "_last", None)
    plain_wire._forget_connections()
    yield
    plain_wire._forget_connections()


def _wire_only(uri: str):
    if uri.startswith("mongomock://"):
        pytest.skip("a command over the wire: nx-27017 and MongoDB only")


@pytest.fixture
def counted(database_uri):
    _wire_only(database_uri)
    counter = Counter()
    client = MongoClient(database_uri, event_listeners=[counter])
    yield client, client.get_default_database().name, counter
    client.close()


@pytest.fixture
def relayed(request, database_uri):
    """A counting client to nx-27017 through a Relay."""
    if request.node.callspec.params["database_uri"] != "nx":
        pytest.skip("the relay stands before nx-27017 only (a replica set's members name each other)")
    target = urlparse(database_uri)
    relay = Relay((target.hostname, target.port))
    client = MongoClient(database_uri.replace(f":{target.port}/", f":{relay.port}/"), directConnection=True,
                         event_listeners=[Counter()], serverSelectionTimeoutMS=3000)
    yield client, client.get_default_database().name, relay
    client.close()
    relay.close()


def _insert(db_name: str, *ids) -> dict:
    return {"bulkWrite": 1, "ops": [{"insert": 0, "document": {"_id": _id}} for _id in ids],
            "nsInfo": [{"ns": f"{db_name}.plain"}], "ordered": True, "errorsOnly": True}


def _held_connection():
    return getattr(plain_wire._threads, "connection", None)


def test_a_counting_plain_client_writes_without_the_pool(counted, monkeypatch):
    client, db_name, counter = counted
    client.admin.command("ping")  # the driver's own connection, made before the pool is closed to us

    def no_checkout(*args, **kwargs):
        raise AssertionError("the pool was asked for a connection")

    monkeypatch.setattr(MongoClient, "_checkout", no_checkout)
    for _id in ("a", "b"):
        assert lean_command.write_command(client, "admin", _insert(db_name, _id))["nErrors"] == 0
    assert sorted(d["_id"] for d in client[db_name].plain.find()) == ["a", "b"]
    assert counter.counted.count("bulkWrite") == 2
    assert _held_connection()[0] == client.address  # one connection, to the primary, kept


def test_replies_and_refusals_are_the_drivers(counted):
    client, db_name, _counter = counted
    lean_command.write_command(client, "admin", _insert(db_name, "c"))
    plain_reply = lean_command.write_command(client, "admin", _insert(db_name, "d", "c", "e"))
    client[db_name].plain.delete_many({"_id": {"$in": ["d", "e"]}})
    driver_reply = client.admin.command(_insert(db_name, "d", "c", "e"))
    assert _held_connection() is not None
    for reply in (plain_reply, driver_reply):  # ordered: stopped at the duplicate, which is reported
        assert reply["nErrors"] == 1 and reply["cursor"]["firstBatch"][0]["idx"] == 1
    assert plain_reply["cursor"]["firstBatch"][0]["code"] == driver_reply["cursor"]["firstBatch"][0]["code"] == 11000
    with pytest.raises(OperationFailure) as plain_refusal:
        lean_command.write_command(client, db_name, {"find": 5})
    with pytest.raises(OperationFailure) as driver_refusal:
        client[db_name].command({"find": 5})
    assert plain_refusal.value.details == driver_refusal.value.details
    assert _held_connection() is not None  # a refusal leaves the connection as it is


def test_a_connection_the_server_closed_is_opened_again_before_it_is_used(relayed):
    client, db_name, relay = relayed
    lean_command.write_command(client, "admin", _insert(db_name, "f"))
    first = _held_connection()[1]
    relay.cut()  # as a restarted server leaves it
    threading.Event().wait(0.05)
    assert lean_command.write_command(client, "admin", _insert(db_name, "g"))["nErrors"] == 0
    assert _held_connection()[1] is not first and first.fileno() == -1
    assert sorted(d["_id"] for d in client[db_name].plain.find()) == ["f", "g"]


def test_a_stalled_server_times_out_once_and_the_next_command_connects_anew(relayed, monkeypatch):
    client, db_name, relay = relayed
    lean_command.write_command(client, "admin", _insert(db_name, "h"))
    checks = []
    monkeypatch.setattr(Server, "request_check", lambda server: checks.append(server.description.address))
    relay.hold()
    with pytest.raises(NetworkTimeout) as timed_out, pymongo.timeout(0.3):
        lean_command.write_command(client, "admin", _insert(db_name, "i"))
    assert database_unavailable(timed_out.value)  # the webhook spools it
    assert _held_connection() is None and checks == [client.address]
    assert lean_command._last is None  # selected again next time
    relay.held.clear()
    assert lean_command.write_command(client, "admin", _insert(db_name, "j"))["nErrors"] == 0
    assert sorted(d["_id"] for d in client[db_name].plain.find()) == ["h", "j"]  # "i" swallowed, not sent again


def test_a_server_that_is_gone_is_a_connection_failure(counted):
    client, _db_name, _counter = counted
    closed = socket.create_server(("127.0.0.1", 0))
    address = closed.getsockname()
    closed.close()
    with pytest.raises(AutoReconnect) as refused:
        plain_wire.command(client, address, "admin", {"ping": 1}, 25)
    assert database_unavailable(refused.value) and str(address[1]) in str(refused.value)
    with pytest.raises(NetworkTimeout), pymongo.timeout(0.001):
        threading.Event().wait(0.01)
        plain_wire.command(client, client.address, "admin", {"ping": 1}, 25)  # the deadline passed before sending


def test_a_forked_child_opens_its_own_connection(counted):
    client, db_name, _counter = counted
    lean_command.write_command(client, "admin", _insert(db_name, "k"))
    parents = _held_connection()[1]
    pid = os.fork()
    if pid == 0:  # the child: a write of its own, over a connection of its own
        code = 1
        try:
            lean_command.write_command(client, "admin", _insert(db_name, "l"))
            code = 0 if _held_connection()[1] is not parents else 2
        finally:
            os._exit(code)
    assert os.waitpid(pid, 0)[1] == 0
    assert lean_command.write_command(client, "admin", _insert(db_name, "m"))["nErrors"] == 0
    assert _held_connection()[1] is parents  # the parent's is untouched
    assert sorted(d["_id"] for d in client[db_name].plain.find()) == ["k", "l", "m"]


@pytest.mark.parametrize("options, is_plain", [
    ({}, True),
    ({"tls": True}, False),
    ({"username": "u", "password": "p"}, False),
    ({"compressors": "zlib"}, False),
    ({"server_api": pymongo.server_api.ServerApi("1")}, False),
    ({"loadBalanced": True}, False),
])
def test_only_plain_clients_leave_the_pool(options, is_plain):
    client = MongoClient("mongodb://127.0.0.1:1/", connect=False, **options)
    try:
        assert plain_wire.plain(client) is is_plain
    finally:
        client.close()
