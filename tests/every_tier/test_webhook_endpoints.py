"""Webhook endpoints: the resource, and deliveries to a real receiver on a loopback port."""
import re
from pathlib import Path

import pytest

from models.collections import GlobalCollection
from models.webhook_endpoint import WebhookCursor
from services import clock
from services.events import webhook_fanout
from tests.conftest import assert_problem
from tests.webhook_engine_helpers import post_message, post_order, tick_for
from tests.webhook_receiver import Receiver

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def settings(app):
    app.config.update(OUTBOUND_ALLOW_PRIVATE=True, WEBHOOK_TIMEOUT_S=1, WEBHOOK_RETRY_BASE_S=30)
    return app.config


def _create(client, tenant, url, **extra):
    return client.post("/api/v1/webhook-endpoints", json={"url": url, **extra}, headers=tenant.headers)


@pytest.fixture
def tick(app):
    return tick_for(app)


def _message_ids(receiver):
    return [r["body"]["data"]["id"] for r in receiver.delivered()]


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


def test_every_event_is_delivered_once_signed(settings, app, client, tenant, receiver, tick):
    secret = _create(client, tenant, receiver.url).get_json()["secret"]
    sent = [post_message(client, tenant, n) for n in range(3)]
    tick()
    tick()  # nothing new, nothing again
    # Another holder, knowing nothing, whose stored cursor is behind these events (it read
    # them and failed before moving it): it makes their deliveries again, and the ids
    # still make nothing twice.
    tick.engine.fan.seen.clear()
    tick.engine.fan.cursor = None
    with app.app_context():
        GlobalCollection(WebhookCursor).update_one({"_id": webhook_fanout.CURSOR_ID},
                                                   {"$set": {"fast_after": "0", "settled_after": "0"}})
    tick()
    delivered = receiver.delivered()
    assert _message_ids(receiver) == sent
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


def test_rotating_the_secret_changes_the_signature(settings, app, client, tenant, receiver, tick):
    created = _create(client, tenant, receiver.url).get_json()
    post_message(client, tenant, 0)
    tick()
    new_secret = client.post(f"/api/v1/webhook-endpoints/{created['id']}/rotate-secret",
                             headers=tenant.headers).get_json()["secret"]
    post_message(client, tenant, 1)
    tick()
    verify = _verify_from_readme()
    first, second = receiver.delivered()
    assert verify(created["secret"], first["headers"]["ChatKeep-Signature"], first["raw"])
    assert verify(new_secret, second["headers"]["ChatKeep-Signature"], second["raw"])
    assert not verify(created["secret"], second["headers"]["ChatKeep-Signature"], second["raw"])


def test_types_filter(settings, app, client, tenant, receiver, tick):
    _create(client, tenant, receiver.url, types=["order.created"])
    post_message(client, tenant, 0)
    post_order(client, tenant, "SO-1")
    tick()
    assert [r["body"]["type"] for r in receiver.delivered()] == ["order.created"]


def test_a_failing_receiver_gets_the_event_on_a_later_attempt(settings, app, client, tenant, frozen_clock, tick):
    receiver = Receiver(statuses=[503, 302])
    try:
        endpoint = _create(client, tenant, receiver.url).get_json()
        post_message(client, tenant, 0)
        tick()
        tick()  # not due yet: nothing sent
        assert len(receiver.received) == 1
        frozen_clock.ms += 30_000
        tick()
        frozen_clock.ms += 60_000
        tick()
        assert [r["status"] for r in receiver.received] == [503, 302, 200]
        log = client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries",
                         headers=tenant.headers).get_json()["items"]
        assert [(a["attempt"], a["status_code"]) for a in log] == [(3, 200), (2, 302), (1, 503)]
        assert log[0]["delivered_at"] and log[0]["next_attempt_at"] is None and log[0]["error"] is None
        assert "redirects are not followed" in log[1]["error"] and log[1]["next_attempt_at"]
        assert log[2]["error"] == "answered 503"
    finally:
        receiver.close()


def test_a_slow_receiver_times_out_and_is_retried(settings, app, client, tenant, frozen_clock, tick):
    receiver = Receiver(delay_s=2)  # WEBHOOK_TIMEOUT_S is 1
    try:
        endpoint = _create(client, tenant, receiver.url).get_json()
        post_message(client, tenant, 0)
        tick()
        log = client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries",
                         headers=tenant.headers).get_json()["items"]
        assert log[0]["error"] == "no answer within 1 s" and log[0]["status_code"] is None
    finally:
        receiver.close()


def test_given_up_after_3_days_and_the_endpoint_disabled(settings, app, client, tenant, frozen_clock, tick):
    receiver = Receiver(statuses=[500] * 100)
    try:
        endpoint = _create(client, tenant, receiver.url).get_json()
        post_message(client, tenant, 0)
        tick()
        started = frozen_clock.ms
        while frozen_clock.ms - started < 4 * clock.DAY_MS:
            frozen_clock.ms += 3600_000
            tick(endpoints_changed=False)
        shown = client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=tenant.headers).get_json()
        log = client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries?limit=200",
                         headers=tenant.headers).get_json()["items"]
        # 30 s doubling: attempts at 0, 30 s, 1.5 min, ... and a last one 3 days after the first
        assert len(receiver.received) == len(log) == 14 and log[0]["next_attempt_at"] is None
        assert shown["enabled"] is False and "every delivery failed" in shown["disabled_reason"]
    finally:
        receiver.close()


def test_a_private_address_is_refused_at_delivery_too(settings, app, client, tenant, receiver, tick):
    endpoint = _create(client, tenant, receiver.url).get_json()
    settings["OUTBOUND_ALLOW_PRIVATE"] = False
    post_message(client, tenant, 0)
    tick()
    assert receiver.received == []
    log = client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=tenant.headers).get_json()
    assert "is not allowed" in log["items"][0]["error"]


def test_stored_changes_reach_the_endpoint_as_their_events_at_once(settings, app, client, tenant, receiver,
                                                                   frozen_clock, tick):
    """The real event log: a message and an order go out as the feed shows them, once,
    without waiting for the feed's settle time; nothing from before the endpoint."""
    client.put("/api/v1/sessions/main", json={"status": "open"}, headers=tenant.headers)  # before the endpoint
    frozen_clock.ms += 1
    _create(client, tenant, receiver.url, types=["message.created", "order.created", "session.status_changed"])
    frozen_clock.ms += 1
    posted = post_message(client, tenant, 0)
    post_order(client, tenant, "SO-9")
    tick()
    assert client.get("/api/v1/events", headers=tenant.headers).get_json()["items"] == []  # the feed: not yet
    bodies = [r["body"] for r in receiver.delivered()]
    assert [b["type"] for b in bodies] == ["message.created", "order.created"]  # the push: already
    frozen_clock.ms += 10_000
    tick()  # the settled sweep finds nothing new
    assert len(receiver.delivered()) == 2
    feed = client.get("/api/v1/events", headers=tenant.headers).get_json()["items"]
    assert bodies[0] == next(e for e in feed if e["type"] == "message.created")
    assert bodies[0]["data"]["id"] == posted
