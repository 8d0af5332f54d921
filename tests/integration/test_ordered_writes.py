"""Ordered writes on the integration tier (nx-27017: one bulkWrite command)."""
import pytest
from pymongo import MongoClient
from pymongo.errors import AutoReconnect, ClientBulkWriteException, OperationFailure

from models.tenancy import tenant_scope
from services.messaging import conversations, messages
from services.operations.metrics import DB_COMMANDS


def _sent(command: str) -> float:
    return DB_COMMANDS.labels(command, "background")._value.get()


def test_a_new_message_and_its_summary_take_one_command(app):
    with app.app_context(), tenant_scope("tenant-one-command"):
        record = {"session_id": "s", "from": "5511912345678", "to": "5511987654321", "direction": "in",
                  "text": "hi"}
        messages.record_message({**record, "external_id": "first"})  # the client meets its server
        before = {name: _sent(name) for name in ("bulkWrite", "insert", "update")}
        messages.record_message({**record, "external_id": "second"})
        assert {name: _sent(name) - before[name] for name in before} == {"bulkWrite": 1, "insert": 0, "update": 0}


def test_a_network_error_inside_bulk_write_is_raised_as_itself(app, monkeypatch):
    """The driver wraps a connection lost mid-bulkWrite in ClientBulkWriteException;
    callers (the webhook's spool) must see the ConnectionFailure, as with other commands."""
    def lost(self, models, **kwargs):
        raise ClientBulkWriteException({"error": AutoReconnect("connection closed"), "writeErrors": [],
                                        "writeConcernErrors": [], "nInserted": 0}, False)

    with app.app_context(), tenant_scope("tenant-lost"):
        record = {"session_id": "s", "from": "5511912345678", "to": "5511987654321", "direction": "in",
                  "text": "hi"}
        messages.record_message({**record, "external_id": "first"})
        monkeypatch.setattr(MongoClient, "bulk_write", lost)
        with pytest.raises(AutoReconnect):
            messages.record_message({**record, "external_id": "second"})


def test_a_server_refusing_bulk_write_gets_one_command_per_write(app, monkeypatch):
    """Some hosted tiers report MongoDB 8.0 and refuse bulkWrite as a whole: the writes
    then go one by one, for this message and every later one."""
    refused = []

    def refuse(self, models, **kwargs):
        refused.append(len(models))
        raise ClientBulkWriteException({"error": OperationFailure("bulkWrite is not allowed in this tier", 8000),
                                        "writeErrors": [], "writeConcernErrors": [], "nInserted": 0}, False)

    with app.app_context(), tenant_scope("tenant-refused"):
        record = {"session_id": "s", "from": "5511912345678", "to": "5511987654321", "direction": "in",
                  "text": "hi"}
        messages.record_message({**record, "external_id": "first"})
        monkeypatch.setattr(MongoClient, "bulk_write", refuse)
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
