"""Ordered writes on the integration tier (nx-27017: one bulkWrite command)."""
import threading
import weakref

import pytest
from pymongo.errors import AutoReconnect, OperationFailure

from models import collections
from models.tenancy import tenant_scope
from services.messaging import conversations, messages
from services.operations.metrics import CommandCounter


_THIS_THREAD: dict[str, int] = {}  # command name -> how many the test's own thread sent


@pytest.fixture(autouse=True)
def counted_in_this_thread(monkeypatch):
    """Count the commands of the test's own thread: a background thread another test
    left in this process (a lease taken: insert, findAndModify) counts in the metric as
    well, and once made the status test here see two commands more in `make test`."""
    _THIS_THREAD.clear()
    test_thread, count = threading.get_ident(), CommandCounter.count

    def counted(self, command_name):
        if threading.get_ident() == test_thread:
            _THIS_THREAD[command_name] = _THIS_THREAD.get(command_name, 0) + 1
        count(self, command_name)

    monkeypatch.setattr(CommandCounter, "count", counted)


def _sent(command: str) -> int:
    return _THIS_THREAD.get(command, 0)


def test_a_new_message_and_its_summary_take_one_command(app):
    with app.app_context(), tenant_scope("tenant-one-command"):
        record = {"session_id": "s", "from": "5511912345678", "to": "5511987654321", "direction": "in",
                  "text": "hi"}
        messages.record_message({**record, "external_id": "first"})  # the client meets its server
        before = {name: _sent(name) for name in ("bulkWrite", "insert", "update")}
        messages.record_message({**record, "external_id": "second"})
        assert {name: _sent(name) - before[name] for name in before} == {"bulkWrite": 1, "insert": 0, "update": 0}


def _bulk_write_failing_with(error: Exception, asked: list):
    """models.lean_command.write_command as models.collections sends bulkWrite, failing as `error`."""
    def failing(client, database, spec):
        assert "bulkWrite" in spec
        asked.append(len(spec["ops"]))
        raise error
    return failing


def test_a_network_error_inside_bulk_write_is_raised_as_itself(app, monkeypatch):
    """Callers (the webhook's spool) must see a connection lost mid-bulkWrite as the
    ConnectionFailure it is, as with other commands, not as a write error."""
    lost = _bulk_write_failing_with(AutoReconnect("connection closed"), [])

    with app.app_context(), tenant_scope("tenant-lost"):
        record = {"session_id": "s", "from": "5511912345678", "to": "5511987654321", "direction": "in",
                  "text": "hi"}
        messages.record_message({**record, "external_id": "first"})
        monkeypatch.setattr(collections, "write_command", lost)
        with pytest.raises(AutoReconnect):
            messages.record_message({**record, "external_id": "second"})


def test_a_server_refusing_bulk_write_gets_one_command_per_write(app, monkeypatch):
    """Some hosted tiers report MongoDB 8.0 and refuse bulkWrite as a whole: the writes
    then go one by one, for this message and every later one."""
    refused = []
    refuse = _bulk_write_failing_with(OperationFailure("bulkWrite is not allowed in this tier", 8000), refused)
    # The refusal is remembered per client, and a later test's client for the same server
    # equals this one while it lives: remember it only for this test.
    monkeypatch.setattr(collections, "_without_client_bulk_write", weakref.WeakSet())

    with app.app_context(), tenant_scope("tenant-refused"):
        record = {"session_id": "s", "from": "5511912345678", "to": "5511987654321", "direction": "in",
                  "text": "hi"}
        messages.record_message({**record, "external_id": "first"})
        monkeypatch.setattr(collections, "write_command", refuse)
        assert messages.record_message({**record, "external_id": "second"})[1]
        before = {name: _sent(name) for name in ("bulkWrite", "insert", "update")}
        assert messages.record_message({**record, "external_id": "third"})[1]
        # The message, its summary, its event and its search terms (one insert for all of them): one command each.
        assert {name: _sent(name) - before[name] for name in before} == {"bulkWrite": 0, "insert": 3, "update": 1}
        assert refused == [4]  # the message, its summary, its event, its one word
        summary = conversations.list_conversations(None, 10, None, False)["items"][0]
        assert summary["message_count"] == 3


def test_a_status_that_moves_a_message_and_its_event_take_one_command(app):
    """The status write, its guard and its message.status_changed go in one bulkWrite."""
    from models.collections import scoped
    from models.event import Event

    with app.app_context(), tenant_scope("tenant-status-one-command"):
        record = {"session_id": "s", "from": "5511987654321", "to": "5511912345678", "direction": "out",
                  "text": "hi"}
        messages.record_message({**record, "external_id": "out-1"})
        messages.record_status("out-1", "sent", 1_700_000_000_000)  # the client meets its server
        names = ("bulkWrite", "insert", "update", "findAndModify", "find")
        before = {name: _sent(name) for name in names}
        messages.record_status("out-1", "read", 1_700_000_001_000)
        assert {name: _sent(name) - before[name] for name in names} == {
            "bulkWrite": 1, "insert": 0, "update": 0, "findAndModify": 0, "find": 0}
        assert [e["type"] for e in scoped(Event).find({}, sort=[("pos", 1)])] == [
            "message.created", "message.status_changed", "message.status_changed"]
        assert messages.get_by_external_id("out-1")["status_rank"] == 3


def test_a_failing_write_stops_the_command_and_is_raised_not_retried_one_by_one(app):
    """A write error (here $inc on text) is one write's failure, not a refusal of
    bulkWrite: the writes before it stay, it and those after it are not applied, and
    nothing is sent again one command at a time."""
    from pymongo.errors import WriteError

    from models.collections import in_order, scoped
    from models.conversation import Conversation
    from models.message import Message

    with app.app_context(), tenant_scope("tenant-write-error"):
        scoped(Conversation).insert_one({"conversation_id": "c", "message_count": "seven"})
        in_order(scoped(Message).insert_write({"_id": "m0", "text": "x"}))  # the client meets its server
        before = {name: _sent(name) for name in ("bulkWrite", "insert", "update")}
        with pytest.raises(WriteError):
            in_order(scoped(Message).insert_write({"_id": "m1", "text": "x"}),
                     scoped(Conversation).update_write({"conversation_id": "c"}, {"$inc": {"message_count": 1}}),
                     scoped(Message).insert_write({"_id": "m2", "text": "x"}))
        assert {name: _sent(name) - before[name] for name in before} == {"bulkWrite": 1, "insert": 0, "update": 0}
        assert sorted(m["_id"] for m in scoped(Message).find({})) == ["m0", "m1"]
        assert scoped(Conversation).find_one({"conversation_id": "c"})["message_count"] == "seven"
