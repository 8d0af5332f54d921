"""models.lean_command on the wire tiers: the ingest path's bulkWrite goes without a
session, is still seen by the client's command listeners (told by name when they only
count, as the metrics' counter does), reuses the primary it selected until a command
through it fails, fails as Database.command fails, and falls back to Database.command when
pymongo's private API is gone. With the pinned pymongo the lean way must be the one taken:
an upgrade that moves it fails here, not silently 90 us slower per webhook."""
import logging
import time
from types import SimpleNamespace

import pytest
from pymongo import MongoClient, monitoring
from pymongo.errors import OperationFailure

from models import lean_command


class Recorder(monitoring.CommandListener):
    """What the client's command listeners are told."""

    def __init__(self):
        self.started_commands, self.succeeded_names, self.failed_names = [], [], []

    def started(self, event):
        self.started_commands.append(event.command)

    def succeeded(self, event):
        self.succeeded_names.append(event.command_name)

    def failed(self, event):
        self.failed_names.append(event.command_name)


class Counter(monitoring.CommandListener):
    """A listener that only counts: as services.operations.metrics.CommandCounter."""

    def __init__(self):
        self.counted, self.events = [], []

    def count(self, command_name):
        self.counted.append(command_name)

    def started(self, event):
        self.events.append(event.command_name)
        self.count(event.command_name)

    def succeeded(self, event):
        self.events.append(event.command_name)

    def failed(self, event):
        self.events.append(event.command_name)


@pytest.fixture(autouse=True)
def fresh_selection(monkeypatch):
    monkeypatch.setattr(lean_command, "_last", None)


@pytest.fixture
def wire(database_uri):
    if database_uri.startswith("mongomock://"):
        pytest.skip("a command over the wire: nx-27017 and MongoDB only")
    recorder = Recorder()
    client = MongoClient(database_uri, event_listeners=[recorder])
    yield client, client.get_default_database().name, recorder
    client.close()


def _insert(db_name: str, _id: str) -> dict:
    return {"bulkWrite": 1, "ops": [{"insert": 0, "document": {"_id": _id}}], "nsInfo": [{"ns": f"{db_name}.lean"}],
            "ordered": True, "errorsOnly": True}


def test_a_write_goes_without_a_session_and_is_seen_by_the_listeners(wire):
    client, db_name, recorder = wire
    assert lean_command.lean(client)
    reply = lean_command.write_command(client, "admin", _insert(db_name, "a"))
    assert reply["ok"] == 1 and reply["nErrors"] == 0
    assert client[db_name].lean.find_one({"_id": "a"}) == {"_id": "a"}
    bulk = [c for c in recorder.started_commands if "bulkWrite" in c]
    assert len(bulk) == 1 and "lsid" not in bulk[0]  # Database.command would attach a session
    assert "bulkWrite" in recorder.succeeded_names
    client[db_name].command("ping")
    assert "lsid" in recorder.started_commands[-1]  # ...as the driver's own path still does


def test_a_refused_command_raises_as_database_command_does(wire):
    client, db_name, recorder = wire
    with pytest.raises(OperationFailure) as lean_refusal:
        lean_command.write_command(client, db_name, {"find": 5})  # an answer of `ok: 0` on every tier
    with pytest.raises(OperationFailure) as driver_refusal:
        client[db_name].command({"find": 5})
    assert lean_refusal.value.details == driver_refusal.value.details
    assert recorder.failed_names == ["find", "find"]


def test_without_the_private_api_commands_go_through_database_command(wire, monkeypatch, caplog):
    client, db_name, recorder = wire
    monkeypatch.delattr(MongoClient, "_checkout")
    monkeypatch.setattr(lean_command, "_unavailable", False)
    with caplog.at_level(logging.WARNING, logger="models.lean_command"):
        for _id in ("b", "c"):
            assert lean_command.write_command(client, "admin", _insert(db_name, _id))["ok"] == 1
    assert not lean_command.lean(client)
    assert sorted(d["_id"] for d in client[db_name].lean.find()) == ["b", "c"]
    assert all("lsid" in c for c in recorder.started_commands if "bulkWrite" in c)
    assert len([r for r in caplog.records if "private connection API" in r.getMessage()]) == 1  # once


def test_counting_listeners_are_told_the_name_and_the_driver_builds_no_events(database_uri):
    if database_uri.startswith("mongomock://"):
        pytest.skip("a command over the wire: nx-27017 and MongoDB only")
    counter = Counter()
    client = MongoClient(database_uri, event_listeners=[counter])
    try:
        db_name = client.get_default_database().name
        for _id in ("d", "e"):
            lean_command.write_command(client, "admin", _insert(db_name, _id))
        assert counter.counted.count("bulkWrite") == 2
        assert "bulkWrite" not in counter.events  # no CommandStartedEvent nor SucceededEvent built
        with pytest.raises(OperationFailure):
            lean_command.write_command(client, db_name, {"find": 5})
        assert counter.counted[-1] == "find" and "find" not in counter.events  # a refused one counts too
        client[db_name].command("ping")  # the driver's own path: events as ever
        assert counter.events[-2:] == ["ping", "ping"] and counter.counted[-1] == "ping"
    finally:
        client.close()


def test_the_primary_is_selected_again_after_the_reuse_window_and_after_a_failure(wire, monkeypatch):
    client, db_name, _recorder = wire
    selections = []
    select = MongoClient._select_server

    def counted_select(self, *args, **kwargs):
        selections.append(args[-1])
        return select(self, *args, **kwargs)

    monkeypatch.setattr(MongoClient, "_select_server", counted_select)
    lean_command.write_command(client, "admin", _insert(db_name, "f"))
    lean_command.write_command(client, "admin", _insert(db_name, "g"))
    assert selections == ["bulkWrite"]  # the second reused the first's primary
    with pytest.raises(OperationFailure):
        lean_command.write_command(client, db_name, {"find": 5})
    lean_command.write_command(client, "admin", _insert(db_name, "h"))
    assert selections == ["bulkWrite", "bulkWrite"]  # the failure made it select again
    later = time.monotonic() + lean_command.PRIMARY_REUSE_S + 0.001
    monkeypatch.setattr(lean_command, "time", SimpleNamespace(monotonic=lambda: later))
    lean_command.write_command(client, "admin", _insert(db_name, "i"))
    lean_command.write_command(client, "admin", _insert(db_name, "j"))
    assert len(selections) == 3  # past the window: selected again, once
    assert sorted(d["_id"] for d in client[db_name].lean.find()) == ["f", "g", "h", "i", "j"]
