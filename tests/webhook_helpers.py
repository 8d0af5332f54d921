"""Fixture replay helpers for the webhook suites."""
import hashlib
import hmac
import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "webhooks"
APP_SECRET = "cloud-app-secret-for-tests"
VERIFY_TOKEN = "verify-me-please"
BOT = "5511987654321"
CUSTOMER = "5511912345678"
# Message ids in the fixtures: evolution messages_upsert_text_inbound; send_message_outbound
# (messages_update_* are its statuses); waha's outbound message.
EVO_IN = "3AF1C9D2E7B84A6C5D10"
EVO_OUT = "3EB0C767D71D4F6B1A2B3C"
WAHA_OUT = "true_5511912345678@c.us_3EB0C767D71D4F6B1A2B"


def fixture(gateway: str, name: str) -> dict:
    return json.loads((FIXTURES / gateway / f"{name}.json").read_text())


def send(client, gateway: str, tenant, body, token: str | None = None, raw: bytes | None = None):
    """POST a webhook as the gateway would; `body` may be a fixture name or a dict."""
    if isinstance(body, str):
        body = fixture(gateway, body)
    data = raw if raw is not None else json.dumps(body).encode()
    if gateway == "cloud":
        signature = "sha256=" + hmac.new(APP_SECRET.encode(), data, hashlib.sha256).hexdigest()
        return client.post(f"/webhooks/whatsapp/{tenant.slug}", data=data, content_type="application/json",
                           headers={"X-Hub-Signature-256": signature})
    token = tenant.webhook_token if token is None else token
    return client.post(f"/webhooks/{gateway}/{tenant.slug}?token={token}", data=data,
                       content_type="application/json")


def configure_cloud(client, admin, tenant):
    response = client.patch(f"/api/v1/admin/tenants/{tenant.slug}", headers=admin,
                            json={"cloud_app_secret": APP_SECRET, "cloud_verify_token": VERIFY_TOKEN})
    assert response.status_code == 200


def stored(client, tenant, external_id):
    return client.get(f"/api/v1/messages/by-external-id/{external_id}", headers=tenant.headers)


def total_messages(client, tenant) -> int:
    return client.get("/api/v1/messages?include_total=true", headers=tenant.headers).get_json()["total"]
