"""Every stored change makes exactly one event (services.events): with the change, or
made by the upkeep when the process was cut off in between; never two."""
import copy

import pytest
from pymongo.errors import AutoReconnect

from models.collections import scoped
from models.event import Event
from models.tenancy import tenant_scope
from models.tenant import Tenant
from services.events import event_data, event_log, repair
from services.messaging import conversation_repairs, conversations, messages
from services.operations.upkeep import run_upkeep
from tests.webhook_helpers import BOT, CUSTOMER, EVO_IN, fixture, send

LATER_MS = repair.GRACE_MS + 1
MESSAGE = {"session_id": "s1", "from": CUSTOMER, "to": BOT, "direction": "in", "text": "oi", "external_id": "w1"}


def events(app, tenant) -> list[dict]:
    """The tenant's events in feed order, as they are shown (a message's event reads its message)."""
    with app.app_context(), tenant_scope(Tenant.objects(slug=tenant.slug).first().id):
        return event_data.resolved(list(scoped(Event).find({}, sort=[("pos", 1)])))


def types(app, tenant) -> list[str]:
    return [event["type"] for event in events(app, tenant)]


def upkeep(app, frozen, after_ms: int) -> None:
    frozen.ms += after_ms
    with app.app_context():
        run_upkeep(app.config)


def test_each_change_makes_one_event_and_repeats_and_rejections_none(app, client, tenant, request):
    h = tenant.headers
    assert client.put("/api/v1/sessions/s1", json={"status": "connecting"}, headers=h).status_code == 201
    client.put("/api/v1/sessions/s1", json={"status": "connecting"}, headers=h)  # unchanged
    client.put("/api/v1/sessions/s1", json={"status": "open"}, headers=h)
    message = client.post("/api/v1/messages", json=MESSAGE, headers=h).get_json()
    assert client.post("/api/v1/messages", json=MESSAGE, headers=h).status_code == 200  # duplicate
    assert client.post("/api/v1/messages", json={**MESSAGE, "direction": "sideways"}, headers=h).status_code == 422
    client.patch(f"/api/v1/messages/{message['id']}", json={"status": "read"}, headers=h)
    client.patch(f"/api/v1/messages/{message['id']}", json={"status": "sent"}, headers=h)  # late: history only
    client.patch(f"/api/v1/messages/{message['id']}", json={"status": "read"}, headers=h)  # again
    client.post(f"/api/v1/conversations/{CUSTOMER}/{BOT}/read", headers=h)
    order = client.post("/api/v1/orders", json={"external_order_id": "SO-1", "recipient_phone": CUSTOMER,
                                                "items": [{"product_type": "t", "quantity": 1, "unit_price": "1.00"}]},
                        headers=h).get_json()
    client.post(f"/api/v1/orders/{order['id']}/complete", headers=h)
    client.post(f"/api/v1/orders/{order['id']}/complete", headers=h)
    assert client.post(f"/api/v1/orders/{order['id']}/cancel", headers=h).status_code == 409
    assert client.delete(f"/api/v1/conversations/{CUSTOMER}/{BOT}", headers=h).status_code == 204
    stored = events(app, tenant)
    by_subject = {}  # the feed promises each subject's order; subjects changed in one ms may interleave
    for event in stored:
        by_subject.setdefault(event["subject"], []).append(event["type"])
    assert by_subject == {
        "s1": ["session.status_changed", "session.status_changed"],
        message["conversation_id"]: ["message.created", "message.status_changed", "conversation.read",
                                     "conversation.deleted"],
        order["id"]: ["order.created", "order.completed"]}
    status = next(e for e in stored if e["type"] == "message.status_changed")
    assert status["data"]["status_rank"] == 3 and "events_due" not in status["data"]
    upkeep(app, request.getfixturevalue("frozen_clock"), LATER_MS)  # nothing was cut off: nothing to make
    assert len(events(app, tenant)) == 8


def test_held_messages_and_parked_statuses_make_their_events_when_they_become_visible(app, client, tenant):
    body = copy.deepcopy(fixture("evolution", "messages_upsert_text_inbound"))
    body.pop("sender", None)
    assert send(client, "evolution", tenant, body).get_json()["held"] == 1
    status = copy.deepcopy(fixture("evolution", "messages_update_read"))
    status["data"].update(keyId=EVO_IN, fromMe=False)
    send(client, "evolution", tenant, status)
    send(client, "waha", tenant, "message_ack_read")  # a status before its message: parked
    assert types(app, tenant) == []
    send(client, "evolution", tenant, "connection_update_open")  # the number: the held message shows
    assert sorted(types(app, tenant)) == ["message.created", "session.status_changed"]
    created = [e for e in events(app, tenant) if e["type"] == "message.created"]
    assert created[0]["data"]["status_rank"] == 3  # its read status came with it
    send(client, "waha", tenant, "message_any_outbound")  # the parked status's message
    assert types(app, tenant)[2:] == ["message.created"]


def _cut(monkeypatch, module, name: str, after: int = 0):
    """Make the call number `after`+1 to module.name fail as a crash would cut it off;
    returns what puts it back (monkeypatch.undo would also unfreeze the clock)."""
    real, calls = getattr(module, name), []

    def cut(*args, **kwargs):
        calls.append(1)
        if len(calls) == after + 1:
            raise AutoReconnect("the process was cut off here")
        return real(*args, **kwargs)
    monkeypatch.setattr(module, name, cut)
    return lambda: monkeypatch.setattr(module, name, real)


def _make_order(client, h, external_id="SO-cut"):
    return client.post("/api/v1/orders", json={"external_order_id": external_id, "recipient_phone": CUSTOMER,
                                               "items": [{"product_type": "t", "quantity": 1, "unit_price": "2.00"}]},
                       headers=h)


CHANGES = {  # change -> (what to do before the cut, the cut request, the event it owes)
    "session.created": (None, lambda c, h: c.put("/api/v1/sessions/s9", json={"status": "open"}, headers=h),
                        "session.status_changed"),
    "session.changed": (lambda c, h: c.put("/api/v1/sessions/s9", json={"status": "open"}, headers=h),
                        lambda c, h: c.put("/api/v1/sessions/s9", json={"status": "close"}, headers=h),
                        "session.status_changed"),
    "message.status": (lambda c, h: c.post("/api/v1/messages", json=MESSAGE, headers=h),
                       lambda c, h: c.patch(f"/api/v1/messages/{messages_id(c, h)}", json={"status": "read"},
                                            headers=h), "message.status_changed"),
    "conversation.read": (lambda c, h: c.post("/api/v1/messages", json=MESSAGE, headers=h),
                          lambda c, h: c.post(f"/api/v1/conversations/{CUSTOMER}/{BOT}/read", headers=h),
                          "conversation.read"),
    "order.created": (None, lambda c, h: _make_order(c, h), "order.created"),
    "order.completed": (lambda c, h: _make_order(c, h),
                        lambda c, h: c.post(f"/api/v1/orders/{order_id(c, h)}/complete", headers=h),
                        "order.completed"),
}


def messages_id(client, h):
    return client.get("/api/v1/messages", headers=h).get_json()["items"][0]["id"]


def order_id(client, h):
    return client.get("/api/v1/orders", headers=h).get_json()["items"][0]["id"]


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_cut_off_from_its_event_gets_it_from_the_upkeep_once(app, client, tenant, frozen_clock,
                                                                        monkeypatch, change):
    before, cut_request, owed = CHANGES[change]
    if before:
        before(client, tenant.headers)
    made_before = types(app, tenant)
    restore = _cut(monkeypatch, event_log, "record")
    assert cut_request(client, tenant.headers).status_code == 503
    restore()
    assert types(app, tenant) == made_before  # the change is stored, its event is not
    upkeep(app, frozen_clock, 1_000)  # within the grace: the request might still be at it
    assert types(app, tenant) == made_before
    upkeep(app, frozen_clock, LATER_MS)
    assert types(app, tenant) == made_before + [owed]
    upkeep(app, frozen_clock, LATER_MS)
    assert types(app, tenant) == made_before + [owed]


def test_a_change_whose_request_failed_after_its_event_gets_no_second_one(app, client, tenant, frozen_clock,
                                                                        counters_fail_at):
    restore = counters_fail_at(1)  # the order and its event are stored; counting it fails
    assert _make_order(client, tenant.headers).status_code == 503
    restore()
    assert _make_order(client, tenant.headers).status_code == 200  # the retry: a duplicate
    upkeep(app, frozen_clock, LATER_MS)
    assert types(app, tenant) == ["order.created"]


@pytest.mark.parametrize("applied", [1, 2], ids=["after-the-message", "after-the-summary"])
def test_a_message_cut_off_before_its_event_gets_it_from_the_upkeep_once(app, client, tenant, frozen_clock,
                                                                         monkeypatch, applied):
    """Where the server has no bulkWrite the insert, the summary and the event are three
    commands: a crash after the first one or two leaves the message without its event."""
    def cut_short(*writes):
        for write in writes[:applied]:
            write.apply()
        raise AutoReconnect("the process was cut off here")
    real = messages.in_order
    monkeypatch.setattr(messages, "in_order", cut_short)
    assert client.post("/api/v1/messages", json=MESSAGE, headers=tenant.headers).status_code == 503
    monkeypatch.setattr(messages, "in_order", real)
    assert client.post("/api/v1/messages", json=MESSAGE, headers=tenant.headers).status_code == 200  # the retry
    assert types(app, tenant) == []
    upkeep(app, frozen_clock, LATER_MS)
    upkeep(app, frozen_clock, LATER_MS)
    assert types(app, tenant) == ["message.created"]
    assert events(app, tenant)[0]["data"]["external_id"] == "w1"
    with app.app_context():  # the duplicate marked its conversation; the repair job rebuilds it
        conversation_repairs.run_due_repairs()
    assert client.get("/api/v1/conversations", headers=tenant.headers).get_json()["items"][0]["message_count"] == 1


@pytest.mark.parametrize("cut_at", ["messages", "event", "summary"])
def test_a_deletion_cut_off_at_any_step_is_finished_by_the_upkeep_with_one_event(
        app, client, tenant, frozen_clock, monkeypatch, cut_at):
    h = tenant.headers
    client.post("/api/v1/messages", json=MESSAGE, headers=h)
    target = {"messages": (conversations, "scoped", 1), "event": (event_log, "record", 0),
              "summary": (conversations, "_conversations", 1)}[cut_at]
    restore = _cut(monkeypatch, *target)
    assert client.delete(f"/api/v1/conversations/{CUSTOMER}/{BOT}", headers=h).status_code == 503
    restore()
    upkeep(app, frozen_clock, LATER_MS)
    upkeep(app, frozen_clock, LATER_MS)
    assert types(app, tenant) == ["message.created", "conversation.deleted"]
    assert client.get(f"/api/v1/conversations/{CUSTOMER}/{BOT}", headers=h).status_code == 404
    assert client.get("/api/v1/conversations", headers=h).get_json()["items"] == []
    assert client.get("/api/v1/messages", headers=h).get_json()["items"] == []



def test_one_subjects_events_in_one_millisecond_keep_their_order(app, client, tenant, frozen_clock):
    """A status change and then a read mark of one conversation in the same millisecond:
    the feed shows them in that order (positions sorted them by kind, read first)."""
    h = tenant.headers
    message = client.post("/api/v1/messages", json=MESSAGE, headers=h).get_json()
    frozen_clock.ms += 1  # the next two share a millisecond of their own
    client.patch(f"/api/v1/messages/{message['id']}", json={"status": "read"}, headers=h)
    client.post(f"/api/v1/conversations/{CUSTOMER}/{BOT}/read", headers=h)
    assert types(app, tenant) == ["message.created", "message.status_changed", "conversation.read"]
