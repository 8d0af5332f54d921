"""Webhook endpoints against the real service: deliveries made by one process, kept
across a restart while the receiver is down, and all made once it is up."""
import pytest
import requests

from tests.conftest import ADMIN_TOKEN
from tests.integration.processes import Service, create_tenant, free_port, wait_until
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.slow
ENV = {"CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "OUTBOUND_ALLOW_PRIVATE": "true", "WEBHOOK_RETRY_BASE_S": "1", "DB_TIMEOUT_MS": "1000",
       "EVENTS_CLOCK_SKEW_MS": "0", "SNAPSHOT_INTERVAL_S": "0", "AUTH_CACHE_S": "1"}


def _message(url, headers, n):
    response = requests.post(f"{url}/api/v1/messages", headers=headers, timeout=10, json={
        "session_id": "main", "direction": "in", "from": "5511912345678", "to": "5511987654321",
        "text": f"m{n}", "external_id": f"down-{n}"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_a_receiver_down_across_a_restart_gets_every_event_once_it_is_up(tmp_path, database_uri):
    port = free_port()  # the receiver's, taken only later
    env = {**ENV, "MONGODB_URI": database_uri}
    with Service(tmp_path, env) as service:
        tenant = create_tenant(service.url, "hooks")
        endpoint = requests.post(f"{service.url}/api/v1/webhook-endpoints", headers=tenant["headers"], timeout=10,
                                 json={"url": f"http://127.0.0.1:{port}/hook", "types": ["message.created"]}).json()
        sent = [_message(service.url, tenant["headers"], n) for n in range(3)]
        log_url = f"{service.url}/api/v1/webhook-endpoints/{endpoint['id']}/deliveries"
        wait_until(lambda: len(requests.get(log_url, headers=tenant["headers"], timeout=10).json()["items"]) >= 3,
                   timeout_s=30)  # tried, refused: the receiver is not there
    receiver = Receiver(port=port)
    try:
        with Service(tmp_path, env) as again:
            sent.append(_message(again.url, tenant["headers"], 3))
            wait_until(lambda: len(receiver.delivered()) >= 4, timeout_s=60)
            log = requests.get(f"{again.url}/api/v1/webhook-endpoints/{endpoint['id']}/deliveries?limit=200",
                               headers=tenant["headers"], timeout=10).json()["items"]
        delivered = [r["body"]["data"]["id"] for r in receiver.delivered()]
        assert sorted(delivered) == sorted(sent)  # each once, none lost, none twice
        assert any(entry["error"] and "could not be reached" in entry["error"] for entry in log)
        assert sum(1 for entry in log if entry["delivered_at"]) == 4
    finally:
        receiver.close()
