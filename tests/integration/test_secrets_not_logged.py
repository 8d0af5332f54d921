"""Secrets (API keys, webhook tokens, app secrets, the admin token) never reach a log
line or an error body, even at LOG_LEVEL=DEBUG and on every failure path."""
import hashlib
import hmac
import json

import pytest
import requests

from tests.conftest import ADMIN_TOKEN
from tests.integration.processes import Service, create_tenant
from tests.webhook_helpers import fixture

pytestmark = pytest.mark.slow
APP_SECRET = "app-secret-that-must-stay-secret-42"
VERIFY_TOKEN = "verify-token-that-must-stay-secret-43"


def test_no_secret_in_logs_or_error_bodies(tmp_path):
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    bodies = []
    with Service(tmp_path, {"CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "MONGODB_URI": "", "LOG_LEVEL": "DEBUG",
                            "SNAPSHOT_INTERVAL_S": "0"}) as service:
        url = service.url
        created = create_tenant(url, "acme")
        key, token = created["api_key"], created["webhook_token"]
        requests.patch(f"{url}/api/v1/admin/tenants/acme", headers=admin, timeout=10,
                       json={"cloud_app_secret": APP_SECRET, "cloud_verify_token": VERIFY_TOKEN})
        rotated = requests.post(f"{url}/api/v1/admin/tenants/acme/rotate-key", headers=admin, timeout=10).json()
        calls = [
            ("get", "/api/v1/sessions", {"headers": {"Authorization": f"Bearer {key}"}}),  # the old key
            ("get", "/api/v1/sessions", {"headers": {"X-API-Key": rotated["api_key"] + "x"}}),
            ("post", f"/webhooks/evolution/acme?token={token}x", {"json": {}}),
            ("post", "/webhooks/evolution/acme", {"headers": {"X-Webhook-Token": token}, "data": b"{broken",
                                                  "content_type": "application/json"}),
            ("post", "/webhooks/whatsapp/acme", {"json": fixture("cloud", "messages_text"),
                                                  "headers": {"X-Hub-Signature-256": "sha256=00"}}),
            ("get", f"/webhooks/whatsapp/acme?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}x&hub.challenge=1",
             {}),
            ("get", "/api/v1/admin/tenants", {"headers": {"Authorization": f"Bearer {ADMIN_TOKEN}x"}}),
            ("put", "/api/v1/sessions/s1", {"headers": {"Authorization": f"Bearer {rotated['api_key']}"},
                                            "json": {"status": "bogus", "secret": APP_SECRET}}),
        ]
        for method, path, options in calls:
            content_type = options.pop("content_type", None)
            if content_type:
                options.setdefault("headers", {})["Content-Type"] = content_type
            response = getattr(requests, method)(url + path, timeout=10, **options)
            assert response.status_code >= 400
            bodies.append(response.text)
        raw = json.dumps(fixture("cloud", "messages_text")).encode()
        signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        ok = requests.post(f"{url}/webhooks/whatsapp/acme", data=raw, timeout=10,
                           headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"})
        assert ok.status_code == 200
    logs = service.log() + "".join(p.read_text(errors="replace") for p in tmp_path.glob("*.log"))
    assert "DEBUG" in logs  # the test really looked at a debug-level log
    for secret in (key, rotated["api_key"], token, APP_SECRET, VERIFY_TOKEN, ADMIN_TOKEN,
                   hashlib.sha256(key.encode()).hexdigest()):
        assert secret not in logs, "a secret reached a log line"
        assert all(secret not in body for body in bodies), "a secret reached an error body"
