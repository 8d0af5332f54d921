"""The webhook engine in real gunicorn services: an event is pushed before the feed's
settle window has passed (issue 26), and a holder paused past its lease while it sends
(issue 25 item 4) makes no delivery twice once another process has taken over."""
import os
import signal
import time
from collections import Counter

import pytest
import requests
from cryptography.fernet import Fernet
from pymongo import MongoClient

from tests.conftest import ADMIN_TOKEN
from tests.integration.processes import Service, create_tenant, wait_until
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.slow
ENV = {"CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "OUTBOUND_ALLOW_PRIVATE": "true", "WEBHOOK_RETRY_BASE_S": "1",
       "SNAPSHOT_INTERVAL_S": "0", "AUTH_CACHE_S": "1", "SNAPSHOT_ON_SHUTDOWN": "false"}


def _message(url, headers, n, phone="5511912345678"):
    response = requests.post(f"{url}/api/v1/messages", headers=headers, timeout=10, json={
        "session_id": "main", "direction": "in", "from": phone, "to": "5511987654321",
        "text": f"m{n}", "external_id": f"e-{phone}-{n}"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_an_event_is_pushed_before_the_feed_shows_it(tmp_path, database_uri):
    # A 25 s settle window: the feed shows nothing for 25 s; the push must not wait for it.
    env = {**ENV, "MONGODB_URI": database_uri, "DB_TIMEOUT_MS": "5000", "EVENTS_CLOCK_SKEW_MS": "20000"}
    receiver = Receiver()
    try:
        with Service(tmp_path, env) as service:
            tenant = create_tenant(service.url, "push")
            requests.post(f"{service.url}/api/v1/webhook-endpoints", headers=tenant["headers"], timeout=10,
                          json={"url": receiver.url}).raise_for_status()
            sent = _message(service.url, tenant["headers"], 0)
            wait_until(lambda: receiver.delivered(), timeout_s=20)
            feed = requests.get(f"{service.url}/api/v1/events", headers=tenant["headers"], timeout=10).json()
            assert feed["items"] == []  # still inside the settle window
            assert [r["body"]["data"]["id"] for r in receiver.delivered()] == [sent]
    finally:
        receiver.close()


def _holder_pid(database_uri) -> int:
    client = MongoClient(database_uri)
    try:
        lease = client.get_default_database()["leases"].find_one({"_id": "webhook-deliveries"})
        return int(lease["holder"].rsplit(":", 1)[1])
    finally:
        client.close()


def test_a_holder_paused_past_its_lease_sends_nothing_twice(tmp_path, database_uri):
    """Each POST takes 0.3 s: 30 deliveries outlast the 3 s lease. The holder is stopped
    (SIGSTOP) mid-lane for 8 s, another process takes the lease and goes on, then the
    first resumes mid-attempt: every event arrives, none twice."""
    env = {**ENV, "MONGODB_URI": database_uri, "WEBHOOK_LEASE_S": "3", "DB_TIMEOUT_MS": "1000",
           "EVENTS_CLOCK_SKEW_MS": "0", "SECRET_KEY": Fernet.generate_key().decode()}  # one deployment, one key
    receiver = Receiver(delay_s=0.3)
    try:
        with Service(tmp_path / "a", env) as first, Service(tmp_path / "b", env):
            tenant = create_tenant(first.url, "once")
            requests.post(f"{first.url}/api/v1/webhook-endpoints", headers=tenant["headers"], timeout=10,
                          json={"url": receiver.url}).raise_for_status()
            sent = [_message(first.url, tenant["headers"], n, phone=f"55119000000{n % 5:02d}") for n in range(30)]
            wait_until(lambda: len(receiver.received) >= 3, timeout_s=30)
            holder = _holder_pid(database_uri)
            os.kill(holder, signal.SIGSTOP)
            try:
                wait_until(lambda: _holder_pid(database_uri) != holder, timeout_s=20)  # taken over
                time.sleep(2)  # the new holder sends meanwhile
            finally:
                os.kill(holder, signal.SIGCONT)
            wait_until(lambda: len({r["body"]["id"] for r in receiver.delivered()}) >= 30, timeout_s=90)
            time.sleep(3)  # anything the resumed process would still send
        ids = Counter(r["body"]["id"] for r in receiver.received)
        assert [event_id for event_id, times in ids.items() if times > 1] == []
        assert sorted(r["body"]["data"]["id"] for r in receiver.delivered()) == sorted(sent)
    finally:
        receiver.close()
