"""Webhook endpoints: the resource, and deliveries to a real receiver on a loopback port."""
import re
from pathlib import Path

import pytest

from models.tenancy import tenant_scope
from services import clock
from services.events import event_log, webhook_delivery
from tests.conftest import assert_problem
from tests.webhook_receiver import Receiver

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def settings(app):
    app.config.update(OUTBOUND_ALLOW_PRIVATE=True, WEBHOOK_TIMEOUT_S=1, WEBHOOK_RETRY_BASE_S=30)
    return app.config


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def _create(client, tenant, url, **extra):
    return client.post("/api/v1/webhook-endpoints", json={"url": url, **extra}, headers=tenant.headers)


class Feed:
    """The event feed as fan_out reads it: positions begin with the event's ms, as the
    event log's do."""

    def __init__(self):
        self.events = []

    def add(self, event_type="message.created", subject="5511912345678:5511987654321"):
        number = len(self.events)
        event = {"id": f"ev-{number}", "pos": f"{clock.now_ms():013d}.{number:04d}", "type": event_type,
                 "time": clock.now_ms(),
                 "envelope": {"specversion": "1.0", "id": f"ev-{number}", "type": event_type, "subject": subject,
                              "source": "/tenants/t", "time": clock.iso(clock.now_ms()), "data": {"n": number}}}
        self.events.append(event)
        return event

    def read(self, after, limit):
        batch = [event for event in self.events if event["pos"] > after][:limit]
        return batch, batch[-1]["pos"] if batch else after


def _deliver(app, tenant_handle, feed=None):
    """One scheduler tick for the tenant: fan out, deliver what is due, wait for the lanes."""
    deliverer = webhook_delivery.Deliverer(4)
    tenant_id = _tenant_id(app, tenant_handle)
    with app.app_context():
        if feed is not None:
            with tenant_scope(tenant_id):
                webhook_delivery.fan_out(feed.read)
        deliverer.deliver_due(tenant_id, app.config)
        assert deliverer.wait_idle(10)


def _tenant_id(app, handle):
    from services.tenancy import tenants
    with app.app_context():
        return tenants.get_tenant(handle.slug).id


def _verify_from_readme():
    """The README's verification snippet, run exactly as it stands."""
    block = README.read_text().split("<!-- verify-snippet:", 1)[1]
    code = re.search(r"```python\n(.*?)```", block, re.S).group(1)
    namespace = {}
    exec(code, namespace)  # noqa: S102 (the README's own code)
    return namespace["verify"]


def test_the_resource_shows_the_secret_once(settings, client, tenant, other_tenant, receiver):
    created = _create(client, tenant, receiver.url, types=["order.completed"], description="orders bot")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["secret"].startswith("whsec_") and body["types"] == ["order.completed"] and body["enabled"]
    url = f"/api/v1/webhook-endpoints/{body['id']}"
    shown = client.get(url, headers=tenant.headers).get_json()
    assert "secret" not in shown and shown["url"] == receiver.url
    assert client.get("/api/v1/webhook-endpoints", headers=tenant.headers).get_json()["items"][0]["id"] == body["id"]
    rotated = client.post(f"{url}/rotate-secret", headers=tenant.headers).get_json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != body["secret"]
    patched = client.patch(url, json={"types": [], "enabled": False}, headers=tenant.headers).get_json()
    assert (patched["types"], patched["enabled"]) == ([], False)
    for method in ("get", "delete"):
        assert_problem(getattr(client, method)(url, headers=other_tenant.headers), 404)
    assert_problem(client.get(f"{url}/deliveries", headers=other_tenant.headers), 404)
    assert client.delete(url, headers=tenant.headers).status_code == 204
    assert_problem(client.get(url, headers=tenant.headers), 404)


def test_bad_input_is_422_and_changes_nothing(app, client, tenant):
    for url in ("http://127.0.0.1:8080/hook", "http://10.1.2.3/hook", "http://169.254.169.254/", "http://[::1]/",
                "ftp://example.com/hook", "not a url"):
        assert_problem(_create(client, tenant, url), 422, "url")
    assert_problem(_create(client, tenant, "https://example.com/hook", types=["message.eaten"]), 422, "types")
    assert_problem(_create(client, tenant, "https://example.com/hook", secret="mine"), 422, "secret")
    assert client.get("/api/v1/webhook-endpoints", headers=tenant.headers).get_json()["items"] == []


def test_every_event_is_delivered_once_signed(settings, app, client, tenant, receiver):
    secret = _create(client, tenant, receiver.url).get_json()["secret"]
    feed = Feed()
    for _ in range(3):
        feed.add()
    _deliver(app, tenant, feed)
    _deliver(app, tenant, feed)  # nothing new, nothing again
    with app.app_context(), tenant_scope(_tenant_id(app, tenant)):
        assert webhook_delivery.fan_out(lambda after, limit: (feed.events, feed.events[-1]["pos"])) == 0  # again
    _deliver(app, tenant)
    delivered = receiver.delivered()
    assert [r["body"]["id"] for r in delivered] == ["ev-0", "ev-1", "ev-2"]
    verify = _verify_from_readme()
    for request in delivered:
        headers = request["headers"]
        assert headers["ChatKeep-Event-Id"] == request["body"]["id"]
        assert headers["ChatKeep-Event-Type"] == "message.created"
        assert verify(secret, headers["ChatKeep-Signature"], request["raw"])
        assert not verify("whsec_other", headers["ChatKeep-Signature"], request["raw"])
        assert not verify(secret, headers["ChatKeep-Signature"], request["raw"] + b" ")
    old = "t=1000000000," + delivered[0]["headers"]["ChatKeep-Signature"].split(",", 1)[1]
    assert not verify(secret, old, delivered[0]["raw"])  # a replay outside the tolerance


def test_rotating_the_secret_changes_the_signature(settings, app, client, tenant, receiver):
    created = _create(client, tenant, receiver.url).get_json()
    feed = Feed()
    feed.add()
    _deliver(app, tenant, feed)
    new_secret = client.post(f"/api/v1/webhook-endpoints/{created['id']}/rotate-secret",
                             headers=tenant.headers).get_json()["secret"]
    feed.add()
    _deliver(app, tenant, feed)
    verify = _verify_from_readme()
    first, second = receiver.delivered()
    assert verify(created["secret"], first["headers"]["ChatKeep-Signature"], first["raw"])
    assert verify(new_secret, second["headers"]["ChatKeep-Signature"], second["raw"])
    assert not verify(created["secret"], second["headers"]["ChatKeep-Signature"], second["raw"])


def test_types_filter(settings, app, client, tenant, receiver):
    _create(client, tenant, receiver.url, types=["order.completed"])
    feed = Feed()
    feed.add("message.created")
    feed.add("order.completed", "ord_1")
    _deliver(app, tenant, feed)
    assert [r["body"]["type"] for r in receiver.delivered()] == ["order.completed"]


def test_a_failing_receiver_gets_the_event_on_a_later_attempt(settings, app, client, tenant, frozen_clock):
    receiver = Receiver(statuses=[503, 302])
    try:
        endpoint = _create(client, tenant, receiver.url).get_json()
        feed = Feed()
        feed.add()
        _deliver(app, tenant, feed)
        _deliver(app, tenant)  # not due yet: nothing sent
        assert len(receiver.received) == 1
        frozen_clock.ms += 30_000
        _deliver(app, tenant)
        frozen_clock.ms += 60_000
        _deliver(app, tenant)
        assert [r["status"] for r in receiver.received] == [503, 302, 200]
        log = client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries",
                         headers=tenant.headers).get_json()["items"]
        assert [(a["attempt"], a["status_code"]) for a in log] == [(3, 200), (2, 302), (1, 503)]
        assert log[0]["delivered_at"] and log[0]["next_attempt_at"] is None and log[0]["error"] is None
        assert "redirects are not followed" in log[1]["error"] and log[1]["next_attempt_at"]
        assert log[2]["error"] == "answered 503"
    finally:
        receiver.close()


def test_a_slow_receiver_times_out_and_is_retried(settings, app, client, tenant, frozen_clock):
    receiver = Receiver(delay_s=2)  # WEBHOOK_TIMEOUT_S is 1
    try:
        endpoint = _create(client, tenant, receiver.url).get_json()
        feed = Feed()
        feed.add()
        _deliver(app, tenant, feed)
        log = client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries",
                         headers=tenant.headers).get_json()["items"]
        assert log[0]["error"] == "no answer within 1 s" and log[0]["status_code"] is None
    finally:
        receiver.close()


def test_given_up_after_3_days_and_the_endpoint_disabled(settings, app, client, tenant, frozen_clock):
    receiver = Receiver(statuses=[500] * 100)
    try:
        endpoint = _create(client, tenant, receiver.url).get_json()
        feed = Feed()
        feed.add()
        _deliver(app, tenant, feed)
        started = frozen_clock.ms
        while frozen_clock.ms - started < 4 * clock.DAY_MS:
            frozen_clock.ms += 3600_000
            _deliver(app, tenant)
        shown = client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=tenant.headers).get_json()
        log = client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries?limit=200",
                         headers=tenant.headers).get_json()["items"]
        # 30 s doubling: attempts at 0, 30 s, 1.5 min, ... and a last one 3 days after the first
        assert len(receiver.received) == len(log) == 14 and log[0]["next_attempt_at"] is None
        assert shown["enabled"] is False and "every delivery failed" in shown["disabled_reason"]
    finally:
        receiver.close()


def test_a_private_address_is_refused_at_delivery_too(settings, app, client, tenant, receiver):
    endpoint = _create(client, tenant, receiver.url).get_json()
    settings["OUTBOUND_ALLOW_PRIVATE"] = False
    feed = Feed()
    feed.add()
    _deliver(app, tenant, feed)
    assert receiver.received == []
    log = client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=tenant.headers).get_json()
    assert "is not allowed" in log["items"][0]["error"]


def test_stored_changes_reach_the_endpoint_as_their_events(settings, app, client, tenant, receiver, frozen_clock):
    """The real event log: a message and an order go out as the feed shows them, once,
    after the feed's settle time; an endpoint gets nothing from before its creation."""
    client.put("/api/v1/sessions/main", json={"status": "open"}, headers=tenant.headers)  # before the endpoint
    frozen_clock.ms += 1
    _create(client, tenant, receiver.url, types=["message.created", "order.created"])
    frozen_clock.ms += 1
    posted = client.post("/api/v1/messages", headers=tenant.headers, json={
        "session_id": "main", "direction": "in", "from": "5511912345678", "to": "5511987654321", "text": "oi",
        "external_id": "w-1"}).get_json()
    client.post("/api/v1/orders", headers=tenant.headers, json={
        "external_order_id": "SO-9", "recipient_phone": "5511912345678",
        "items": [{"product_type": "t-shirt", "quantity": 1, "unit_price": "10.00"}]})
    deliverer = webhook_delivery.Deliverer(2)

    def tick():
        with app.app_context():
            webhook_delivery.run_round(deliverer, app.config, app.extensions["chatkeep_event_envelope"])
            assert deliverer.wait_idle(10)

    tick()
    assert receiver.received == []  # not settled yet: it could still be joined by an earlier one
    frozen_clock.ms += event_log.settle_ms() + 1
    tick()
    tick()
    bodies = [r["body"] for r in receiver.delivered()]
    assert [b["type"] for b in bodies] == ["message.created", "order.created"]
    feed = client.get("/api/v1/events", headers=tenant.headers).get_json()["items"]
    assert bodies[0] == next(e for e in feed if e["type"] == "message.created")
    assert bodies[0]["data"]["id"] == posted["id"]


def test_a_dead_endpoints_backlog_never_starves_a_healthy_one(settings, app, client, tenant, receiver, monkeypatch):
    monkeypatch.setattr(webhook_delivery, "LANE_BATCH", 2)
    _create(client, tenant, "http://127.0.0.1:9/dead")  # refused: paused after its first failure
    frozen = clock.now_ms() + 1
    monkeypatch.setattr(clock, "now_ms", lambda: frozen)
    _create(client, tenant, receiver.url)  # created after: the dead one's deliveries are the oldest
    feed = Feed()
    for _ in range(5):
        feed.add()
    for _ in range(4):
        _deliver(app, tenant, feed)
    assert len(receiver.delivered()) == 5
