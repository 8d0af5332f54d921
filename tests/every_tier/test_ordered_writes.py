"""models.collections.in_order on every tier: one bulkWrite command on nx-27017 (and
MongoDB 8.0+), one command per write on mongomock; the outcome must be the same."""
import pytest

from models.collections import DuplicateKeyAt, in_order, scoped
from models.conversation import Conversation
from models.message import Message
from models.tenancy import tenant_scope
from services import clock
from services.messaging import conversations, messages

BOT, CUSTOMER = "5511987654321", "5511912345678"


def test_writes_apply_in_order_and_stop_at_the_first_duplicate(app):
    with app.app_context():
        with tenant_scope("tenant-other"):
            scoped(Conversation).insert_one({"conversation_id": "c", "message_count": 7})
        with tenant_scope("tenant-a"):
            in_order(scoped(Message).insert_write({"_id": "m1", "text": "one"}),
                     scoped(Conversation).update_write({"conversation_id": "c"}, {"$inc": {"message_count": 1}},
                                                       upsert=True))
            with pytest.raises(DuplicateKeyAt) as raised:
                in_order(scoped(Message).insert_write({"_id": "m2", "text": "two"}),
                         scoped(Message).insert_write({"_id": "m1", "text": "again"}),
                         scoped(Conversation).update_write({"conversation_id": "c"},
                                                           {"$inc": {"message_count": 1}}))
            assert raised.value.index == 1
            stored = {m["_id"]: m for m in scoped(Message).find({})}
            assert {k: (m["text"], m["tenant_id"]) for k, m in stored.items()} == {
                "m1": ("one", "tenant-a"), "m2": ("two", "tenant-a")}
            # the write after the duplicate was not applied, and the upsert stayed in this tenant
            assert scoped(Conversation).find_one({"conversation_id": "c"})["message_count"] == 1
        with tenant_scope("tenant-other"):
            assert scoped(Conversation).find_one({"conversation_id": "c"})["message_count"] == 7


def test_an_older_message_is_counted_without_becoming_the_last(app, monkeypatch):
    """The summary upsert sent with the insert collides when the summary holds a newer
    message: the message is stored and counted, the newer one stays last."""
    now = {"ms": 0}
    monkeypatch.setattr(clock, "now_ms", lambda: now["ms"])
    with app.app_context(), tenant_scope("tenant-order"):
        stored = []
        for external_id, moment in (("newer", 2_000), ("older", 1_000)):
            now["ms"] = moment
            message, created = messages.record_message({"session_id": "s", "from": CUSTOMER, "to": BOT,
                                                        "direction": "in", "text": external_id,
                                                        "external_id": external_id})
            assert created
            stored.append(message)
        summary = conversations.list_conversations(None, 10, None, False)["items"][0]
        assert (summary["message_count"], summary["unread_count"]) == (2, 2)
        assert summary["last_message_id"] == stored[0]["_id"] and summary["last_message_at"] == 2_000
        assert messages.list_messages({}, 10, None, True)["total"] == 2


def test_a_server_that_refuses_bulk_write_gets_one_command_per_write(app, monkeypatch):
    """Some hosted tiers announce a wire version with bulkWrite and refuse the command:
    nothing was applied, so the writes go one by one, and so do that client's later
    ones; any other failure is raised as it is."""
    import weakref

    from pymongo.errors import OperationFailure

    from models import collections
    asked = []

    def failing_with(code):
        def bulk_write(_client, writes):
            asked.append((code, len(writes)))
            raise OperationFailure("bulkWrite failed", code=code)
        return bulk_write

    monkeypatch.setattr(collections, "_without_client_bulk_write", weakref.WeakSet())
    monkeypatch.setattr(collections, "_has_client_bulk_write",
                        lambda client: client not in collections._without_client_bulk_write)
    with app.app_context(), tenant_scope("tenant-refused"):
        monkeypatch.setattr(collections, "_in_one_command", failing_with(2))  # BadValue: no refusal
        with pytest.raises(OperationFailure):
            in_order(scoped(Message).insert_write({"_id": "m0", "text": "x"}))
        monkeypatch.setattr(collections, "_in_one_command", failing_with(59))  # CommandNotFound
        for n in (1, 2):
            in_order(scoped(Message).insert_write({"_id": f"m{n}", "text": "x"}),
                     scoped(Conversation).update_write({"conversation_id": "c"}, {"$inc": {"message_count": 1}},
                                                       upsert=True))
        assert sorted(m["_id"] for m in scoped(Message).find({})) == ["m1", "m2"]
        assert scoped(Conversation).find_one({"conversation_id": "c"})["message_count"] == 2
    assert asked == [(2, 1), (59, 2)]  # refused once, then remembered
