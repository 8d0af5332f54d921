"""The webhook engine with real receivers on loopback: pausing, rejected payloads,
endpoints changed mid-lane, fair lanes, pruning, restores, a failing tenant, the cost
of an idle round. Each test names the finding of issue 25 it holds."""
import threading

import pytest

from models.collections import GlobalCollection, scoped
from models.event import Event
from models.tenancy import tenant_scope
from models.webhook_endpoint import WebhookAttempt, WebhookCursor, WebhookDelivery, WebhookLane
from services import clock
from services.events import webhook_delivery
from services.operations import metrics
from services.operations.upkeep import run_upkeep
from services.tenancy import tenants
from tests.conftest import assert_problem, create_tenant
from tests.webhook_engine_helpers import create_endpoint, post_message, tick_for
from tests.webhook_helpers import EVO_OUT, send
from tests.webhook_receiver import Receiver


@pytest.fixture
def settings(app):
    app.config.update(OUTBOUND_ALLOW_PRIVATE=True, WEBHOOK_TIMEOUT_S=5, WEBHOOK_RETRY_BASE_S=30)
    return app.config


@pytest.fixture
def receivers():
    made = []

    def make(**kwargs):
        made.append(Receiver(**kwargs))
        return made[-1]
    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def tick(app):
    return tick_for(app)


def _texts(receiver):
    return [r["body"]["data"]["text"] for r in receiver.delivered()]


def _tenant_id(app, handle):
    with app.app_context():
        return tenants.get_tenant(handle.slug).id


def test_a_paused_endpoint_keeps_its_place_and_gets_what_it_missed(settings, client, tenant, tick, receivers):
    """Item 5: paused, 5 messages, enabled again: all 5, oldest first (it was 0 of 5)."""
    paused, other = receivers(), receivers()
    endpoint = create_endpoint(client, tenant, paused.url).get_json()
    create_endpoint(client, tenant, other.url)
    post_message(client, tenant, 0)
    tick()
    client.patch(f"/api/v1/webhook-endpoints/{endpoint['id']}", json={"enabled": False}, headers=tenant.headers)
    for n in range(1, 6):
        post_message(client, tenant, n)
    tick()
    assert _texts(paused) == ["m0"] and _texts(other) == [f"m{n}" for n in range(6)]
    client.patch(f"/api/v1/webhook-endpoints/{endpoint['id']}", json={"enabled": True}, headers=tenant.headers)
    tick()
    assert _texts(paused) == [f"m{n}" for n in range(6)]


def test_a_lone_paused_endpoint_gets_only_what_it_missed(settings, client, tenant, tick, receivers, frozen_clock):
    """Item 5, the other case: no other endpoint; what came before it never floods it."""
    post_message(client, tenant, 0)  # before the endpoint: never sent
    frozen_clock.ms += 1
    receiver = receivers()
    endpoint = create_endpoint(client, tenant, receiver.url).get_json()
    client.patch(f"/api/v1/webhook-endpoints/{endpoint['id']}", json={"enabled": False}, headers=tenant.headers)
    for n in range(1, 4):
        post_message(client, tenant, n)
    tick()
    frozen_clock.ms += clock.DAY_MS
    tick()
    assert receiver.received == []
    client.patch(f"/api/v1/webhook-endpoints/{endpoint['id']}", json={"enabled": True}, headers=tenant.headers)
    tick()
    assert _texts(receiver) == ["m1", "m2", "m3"]


def test_a_rejected_payload_holds_its_subject_not_the_endpoint(settings, client, tenant, tick, receivers,
                                                               frozen_clock):
    """Item 6: a 400 for one payload pauses nothing; its subject's later events wait
    behind it (each subject's order), the other subjects go on."""
    receiver = receivers(statuses=[400])
    create_endpoint(client, tenant, receiver.url)
    post_message(client, tenant, 0, phone="5511900000001")  # rejected
    post_message(client, tenant, 1, phone="5511900000002")  # another conversation: goes on
    post_message(client, tenant, 2, phone="5511900000001")  # behind the rejected one
    tick()
    assert [r["status"] for r in receiver.received] == [400, 200]
    assert _texts(receiver) == ["m1"]
    frozen_clock.ms += 30_000
    tick(endpoints_changed=False)
    assert _texts(receiver) == ["m1", "m0", "m2"]


def test_the_next_attempt_reads_the_endpoint_as_it_is_now(settings, app, client, tenant, tick, receivers,
                                                          monkeypatch):
    """Item 7: the URL changed and the secret rotated after the first attempt of a lane:
    the second goes to the new URL, signed with the new secret."""
    old, new = receivers(), receivers()
    endpoint = create_endpoint(client, tenant, old.url).get_json()
    for n in range(2):
        post_message(client, tenant, n)
    real_post, changed = webhook_delivery.post, {}

    def post_then_change(*args):
        answer = real_post(*args)
        if not changed:
            url = f"/api/v1/webhook-endpoints/{endpoint['id']}"
            client.patch(url, json={"url": new.url}, headers=tenant.headers)
            changed["secret"] = client.post(f"{url}/rotate-secret", headers=tenant.headers).get_json()["secret"]
        return answer
    monkeypatch.setattr(webhook_delivery, "post", post_then_change)
    tick()
    assert _texts(old) == ["m0"] and _texts(new) == ["m1"]
    signed = new.delivered()[0]["headers"]["ChatKeep-Signature"]
    from services.events.signing import signature
    t = int(signed.split(",")[0][2:])
    assert signed == signature(changed["secret"], t, new.delivered()[0]["raw"])


def test_an_endpoints_backlog_never_starves_the_tenants_others(settings, client, tenant, tick, receivers,
                                                              monkeypatch):
    """Item 3 / F7: a lane sends LANE_BATCH and waits its turn; the other endpoint's lane runs."""
    monkeypatch.setattr(webhook_delivery, "LANE_BATCH", 2)
    busy, quiet = receivers(), receivers()
    create_endpoint(client, tenant, busy.url, types=["message.created"])
    for n in range(8):
        post_message(client, tenant, n)
    create_endpoint(client, tenant, quiet.url, types=["order.created"])
    client.post("/api/v1/orders", headers=tenant.headers, json={
        "external_order_id": "SO-1", "recipient_phone": "5511912345678",
        "items": [{"product_type": "t-shirt", "quantity": 1, "unit_price": "10.00"}]})
    tick()
    assert len(quiet.delivered()) == 1 and len(busy.delivered()) == 2
    for _ in range(4):
        tick(endpoints_changed=False)
    assert _texts(busy) == [f"m{n}" for n in range(8)]


def test_one_tenants_hanging_receivers_leave_lanes_for_the_others(settings, app, client, admin, tenant, tick,
                                                                  receivers):
    """Item 3 / F5: tenant A's four hanging endpoints take its share (2), not the pool (4):
    tenant B's event arrives while they still hang."""
    settings.update(WEBHOOK_CONCURRENCY=4, WEBHOOK_TENANT_LANES=2)
    tick = tick_for(app)
    hanging, healthy = receivers(delay_s=2), receivers()
    other = create_tenant(client, admin)
    for _ in range(4):
        create_endpoint(client, tenant, hanging.url)
    post_message(client, tenant, 0)
    create_endpoint(client, other, healthy.url)
    post_message(client, other, 0)
    arrived = threading.Event()
    hanging_done_when_healthy_arrived = []
    real_post = webhook_delivery.post

    def watched(endpoint, *args):
        answer = real_post(endpoint, *args)
        if endpoint["url"] == healthy.url:
            hanging_done_when_healthy_arrived.append(len(hanging.received))
            arrived.set()
        return answer
    webhook_delivery.post = watched
    try:
        tick()
    finally:
        webhook_delivery.post = real_post
    assert arrived.is_set() and hanging_done_when_healthy_arrived == [0]
    assert len(hanging.received) == 2  # its share; the other two at the next rounds
    tick(endpoints_changed=False)
    assert len(hanging.received) == 4


def test_the_endpoint_cap(settings, app, client, tenant, receivers):
    settings["WEBHOOK_ENDPOINTS_MAX"] = 2
    receiver = receivers()
    for _ in range(2):
        assert create_endpoint(client, tenant, receiver.url).status_code == 201
    assert_problem(create_endpoint(client, tenant, receiver.url), 422, "url")
    assert len(client.get("/api/v1/webhook-endpoints", headers=tenant.headers).get_json()["items"]) == 2


def test_deliveries_hold_no_copy_and_an_erased_event_is_not_sent(settings, app, client, tenant, tick, receivers):
    """Item 8 / F4: a delivery keeps the event's id, type, time; the envelope is rendered
    at send time, so an event gone from the log (erasure, retention) is never sent."""
    receiver = receivers()
    endpoint = create_endpoint(client, tenant, receiver.url).get_json()
    client.patch(f"/api/v1/webhook-endpoints/{endpoint['id']}", json={"enabled": False}, headers=tenant.headers)
    post_message(client, tenant, 0, text="secret text")
    post_message(client, tenant, 1)
    tick()
    with app.app_context(), tenant_scope(_tenant_id(app, tenant)):
        stored = list(scoped(WebhookDelivery).find({}))
        assert len(stored) == 2 and "secret text" not in repr(stored) and "5511912345678" not in repr(stored)
        assert {"event_id", "event_type", "subject", "pos"} <= set(stored[0])
        first = min(stored, key=lambda d: d["pos"])
        scoped(Event).delete_many({"_id": first["event_id"]})
    client.patch(f"/api/v1/webhook-endpoints/{endpoint['id']}", json={"enabled": True}, headers=tenant.headers)
    tick()
    assert _texts(receiver) == ["m1"]


def test_the_upkeep_prunes_the_delivery_log(settings, app, client, tenant, tick, receivers, frozen_clock):
    """Item 8 / F4: delivered deliveries and attempts older than WEBHOOK_LOG_RETENTION_DAYS
    go; newer ones stay (waiting ones: test_a_short_log_retention_keeps_a_retrying_deliverys_attempts)."""
    receiver = receivers()
    create_endpoint(client, tenant, receiver.url)
    post_message(client, tenant, 0)
    tick()
    frozen_clock.ms += 20 * clock.DAY_MS
    post_message(client, tenant, 1)
    tick()
    frozen_clock.ms += 11 * clock.DAY_MS  # the first is 31 days old, the second 11
    with app.app_context():
        run_upkeep(app.config)
    with app.app_context(), tenant_scope(_tenant_id(app, tenant)):
        kept = list(scoped(WebhookDelivery).find({}))
        attempts = list(scoped(WebhookAttempt).find({}))
    assert [d["state"] for d in kept] == ["delivered"] and len(attempts) == 1
    assert attempts[0]["event_id"] == kept[0]["event_id"]


def test_a_restore_does_not_send_the_log_again(settings, app, client, tenant, tick, receivers, frozen_clock):
    """Item 9 / F19: a store restored from a snapshot has events and endpoints, no cursor,
    lanes or deliveries: nothing already in the log goes out again; what comes next does."""
    receiver = receivers()
    create_endpoint(client, tenant, receiver.url)
    for n in range(3):
        post_message(client, tenant, n)
    tick()
    assert len(receiver.delivered()) == 3
    with app.app_context():
        for document in (WebhookCursor, WebhookLane, WebhookDelivery):
            GlobalCollection(document).delete_many({})
    frozen_clock.ms += 60_000
    tick2 = tick_for(app)  # the restored deployment's holder
    tick2()
    assert len(receiver.delivered()) == 3
    post_message(client, tenant, 3)
    tick2()
    assert _texts(receiver) == ["m0", "m1", "m2", "m3"]


def test_one_failing_tenant_does_not_stop_the_others(settings, app, client, admin, tenant, tick, receivers):
    """Item 11: rendering one tenant's events fails: logged, counted, the others delivered."""
    broken, fine = receivers(), receivers()
    other = create_tenant(client, admin)
    create_endpoint(client, tenant, broken.url)
    create_endpoint(client, other, fine.url)
    post_message(client, tenant, 0)
    post_message(client, other, 0)
    real = tick.engine.render

    def render(events, slug):
        if slug == tenant.slug:
            raise ValueError("cannot render")
        return real(events, slug)
    tick.engine.render = render
    failures = metrics.WEBHOOK_FAILURES._value.get()
    tick()
    assert len(fine.delivered()) == 1 and broken.received == []
    assert metrics.WEBHOOK_FAILURES._value.get() == failures + 1


def _commands() -> float:
    return sum(sample.value for metric in metrics.DB_COMMANDS.collect() for sample in metric.samples
               if sample.name.endswith("_total"))


@pytest.mark.parametrize("database_uri", ["nx"], indirect=True)
def test_an_idle_round_costs_the_same_whatever_the_tenants(settings, app, client, admin, tick, receivers):
    """Item 12: an idle round of the holder is two reads, with 2 tenants or 12."""
    receiver = receivers()
    costs = []
    for count in (2, 12):
        while len(client.get("/api/v1/admin/tenants", headers=admin).get_json()["items"]) < count:
            create_endpoint(client, create_tenant(client, admin), receiver.url)
        tick()
        before = _commands()
        tick(endpoints_changed=False)
        costs.append(_commands() - before)
    assert costs[0] == costs[1] <= 3, costs


def test_an_endpoint_made_on_another_host_gets_its_events(settings, client, tenant, tick, receivers):
    """No nudge reaches the holder (another host): the new endpoint's lane tells it."""
    first, second = receivers(), receivers()
    create_endpoint(client, tenant, first.url)
    tick()  # the holder knows the first endpoint
    create_endpoint(client, tenant, second.url, types=["message.created"])
    post_message(client, tenant, 0)
    tick(endpoints_changed=False)
    assert _texts(first) == _texts(second) == ["m0"]


def test_a_held_subject_does_not_hide_the_endpoints_other_subjects(settings, client, tenant, tick, receivers,
                                                                   monkeypatch):
    """Item 6: the rejected event's subject has more waiting deliveries than a lane run
    sends; the lane looks past them to the other subject."""
    monkeypatch.setattr(webhook_delivery, "LANE_BATCH", 2)
    receiver = receivers(statuses=[400])
    create_endpoint(client, tenant, receiver.url)
    for n in range(5):
        post_message(client, tenant, n, phone="5511900000001")
    post_message(client, tenant, 5, phone="5511900000002")
    tick()
    tick(endpoints_changed=False)
    assert _texts(receiver) == ["m5"]


def test_once_delivered_the_engine_goes_idle(settings, client, tenant, tick, receivers, frozen_clock):
    """Item 12: after the sweep behind the horizon, rounds find no work (no lane is
    marked due again by an event already fanned out): the engine backs off."""
    receiver = receivers()
    create_endpoint(client, tenant, receiver.url)
    post_message(client, tenant, 0)
    assert tick()
    frozen_clock.ms += 10_000
    tick(endpoints_changed=False)  # the settled sweep
    assert not tick(endpoints_changed=False) and not tick(endpoints_changed=False)
    assert len(receiver.delivered()) == 1


def test_a_gateway_status_keeps_its_conversations_order(settings, client, tenant, tick, receivers, frozen_clock):
    """A gateway's status is stored without reading its message, so its event has no
    subject of its own: it takes its message's conversation. Held behind its message's
    rejected creation, it is sent after it; another conversation goes on meanwhile."""
    receiver = receivers(statuses=[400])
    create_endpoint(client, tenant, receiver.url)
    assert send(client, "evolution", tenant, "send_message_outbound").status_code == 200  # rejected
    frozen_clock.ms += 1
    assert send(client, "evolution", tenant, "messages_update_read").status_code == 200  # behind it
    frozen_clock.ms += 1
    post_message(client, tenant, 1, phone="5511900000002")  # another conversation: goes on
    tick()
    assert [(r["status"], r["body"]["type"]) for r in receiver.received] == [
        (400, "message.created"), (200, "message.created")]
    frozen_clock.ms += 30_000
    tick(endpoints_changed=False)
    sent = [(r["body"]["type"], r["body"]["data"]["external_id"]) for r in receiver.delivered()]
    assert sent == [("message.created", "x-5511900000002-1"), ("message.created", EVO_OUT),
                    ("message.status_changed", EVO_OUT)]
    subjects = {r["body"]["subject"] for r in receiver.delivered() if r["body"]["data"]["external_id"] == EVO_OUT}
    assert len(subjects) == 1


def test_a_deleted_endpoint_is_forgotten_by_an_engine_that_knew_it(settings, app, client, tenant, tick, receivers):
    """Deleted through another host: the delivering engine still holds the endpoint
    until its next round reads the lane's change; what its fan-out made for it meanwhile
    goes with the lane, and the tenant's other endpoint gets everything."""
    deleted, kept = receivers(), receivers()
    endpoint = create_endpoint(client, tenant, deleted.url).get_json()
    create_endpoint(client, tenant, kept.url)
    post_message(client, tenant, 0)
    tick()
    assert client.delete(f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=tenant.headers).status_code == 204
    post_message(client, tenant, 1)
    tick(endpoints_changed=False)  # fans out with the endpoints it knew, then reads the change
    assert _texts(deleted) == ["m0"] and _texts(kept) == ["m0", "m1"]
    with app.app_context():
        assert list(GlobalCollection(WebhookDelivery).find({"endpoint_id": endpoint["id"]})) == []
        assert list(GlobalCollection(WebhookLane).find({"_id": endpoint["id"]})) == []
    assert endpoint["id"] not in {e["_id"] for group in tick.engine.endpoints.values() for e in group}


def test_a_short_log_retention_keeps_a_retrying_deliverys_attempts(settings, app, client, tenant, tick, receivers,
                                                                     frozen_clock):
    """WEBHOOK_LOG_RETENTION_DAYS=1: a delivery still retrying two days on keeps its
    first attempt in the log; a delivered one's attempts past its retries go."""
    app.config["WEBHOOK_LOG_RETENTION_DAYS"] = 1
    done, failing = receivers(), receivers(statuses=[500] * 50)
    create_endpoint(client, tenant, done.url)
    post_message(client, tenant, 0)
    tick()
    frozen_clock.ms += 2 * clock.DAY_MS
    create_endpoint(client, tenant, failing.url)
    post_message(client, tenant, 1)
    tick()  # both endpoints get m1; the failing one's first attempt fails
    frozen_clock.ms += 2 * clock.DAY_MS - 60_000
    with app.app_context():
        run_upkeep(app.config)
    with app.app_context(), tenant_scope(_tenant_id(app, tenant)):
        attempts = list(scoped(WebhookAttempt).find({}))
        pending = list(scoped(WebhookDelivery).find({"state": "pending"}))
    failing_id = pending[0]["endpoint_id"]
    assert len(pending) == 1 and [a["status_code"] for a in attempts if a["endpoint_id"] == failing_id] == [500]
    assert sorted(a["status_code"] for a in attempts if a["endpoint_id"] != failing_id) == [200]  # m1's; m0's went


def test_a_background_writers_events_wake_the_engine(app, tenant):
    """No request around it (a spool replay, a gateway sync, a repair): the message's
    write itself nudges this host's deliverer."""
    from services.events import webhook_wake
    from services.messaging import messages

    listener = webhook_wake.Listener()
    try:
        listener.wait(0.05)  # what the tenant's creation said
        with app.app_context(), tenant_scope(_tenant_id(app, tenant)):
            messages.record_message({"session_id": "main", "direction": "in", "from": "5511900000001",
                                     "to": "5511987654321", "text": "from a replay", "external_id": "bg-1"})
        assert listener.wait(2.0) == {webhook_wake.EVENTS}
    finally:
        listener.close()
