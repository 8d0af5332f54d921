"""Driving the webhook engine in-process: real events written through the API, one
engine round at a time, lanes waited for."""
import time

from services.operations import leases


def tick_for(app):
    """A function running one round of a fresh engine (holding the lease) and waiting
    for its lanes; the engine is `tick.engine`."""
    from services.events.webhook_engine import LEASE, Engine

    engine = Engine(app.config, app.extensions["chatkeep_event_envelopes"])

    def tick(endpoints_changed: bool = True, wait: bool = True):
        with app.app_context():
            assert leases.hold(LEASE, 60_000)
            engine.renewed_at = time.monotonic()
            busy = engine.round(endpoints_changed)
            if wait:
                assert engine.deliverer.wait_idle(30)
            return busy
    tick.engine = engine
    return tick


def post_message(client, tenant, n: int, phone: str = "5511912345678", text: str | None = None) -> str:
    """An inbound message (event message.created, subject its conversation); its id."""
    response = client.post("/api/v1/messages", headers=tenant.headers, json={
        "session_id": "main", "direction": "in", "from": phone, "to": "5511987654321",
        "text": text or f"m{n}", "external_id": f"x-{phone}-{n}"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def post_order(client, tenant, number: str) -> dict:
    response = client.post("/api/v1/orders", headers=tenant.headers, json={
        "external_order_id": number, "recipient_phone": "5511912345678",
        "items": [{"product_type": "t-shirt", "quantity": 1, "unit_price": "10.00"}]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def create_endpoint(client, tenant, url, **extra):
    return client.post("/api/v1/webhook-endpoints", json={"url": url, **extra}, headers=tenant.headers)
