"""The feed under real concurrency: two gunicorn services (two workers each) on one
database, many clients writing at once, and a poller following `next_cursor` all the
while. Writers commit out of order; the poller must still end with every event exactly
once, each subject's in the order its changes happened."""
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from cryptography.fernet import Fernet
from pymongo import MongoClient

from tests.conftest import ADMIN_TOKEN
from tests.integration.processes import Service, create_tenant

SETTLE_ENV = {"DB_TIMEOUT_MS": "1000", "EVENTS_CLOCK_SKEW_MS": "0", "SNAPSHOT_INTERVAL_S": "0",
              "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN}
CUSTOMERS = [f"55119000000{n:02d}" for n in range(6)]
BOT = "5511987654321"
RANK = {"pending": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 9}


def _writer(url: str, headers: dict, worker: int, stop: threading.Event) -> int:
    """Messages, their statuses, read marks and orders, as fast as the service answers."""
    session = requests.Session()
    n = 0
    while not stop.is_set():
        n += 1
        customer = CUSTOMERS[(worker + n) % len(CUSTOMERS)]
        message = session.post(f"{url}/api/v1/messages", headers=headers, timeout=30, json={
            "session_id": "s1", "from": BOT, "to": customer, "direction": "out", "text": f"w{worker}-{n}",
            "external_id": f"w{worker}-{n}"}).json()
        for status in ("sent", "delivered", "read")[: n % 4]:
            session.patch(f"{url}/api/v1/messages/{message['id']}", json={"status": status}, headers=headers,
                          timeout=30)
        if n % 3 == 0:
            session.post(f"{url}/api/v1/conversations/{BOT}/{customer}/read", headers=headers, timeout=30)
        if n % 5 == 0:
            order = session.post(f"{url}/api/v1/orders", headers=headers, timeout=30, json={
                "external_order_id": f"o{worker}-{n}", "recipient_phone": customer,
                "items": [{"product_type": "t", "quantity": 1, "unit_price": "1.00"}]}).json()
            session.post(f"{url}/api/v1/orders/{order['id']}/complete", headers=headers, timeout=30)
    return n


def _poll(url: str, headers: dict, until: threading.Event, seen: list) -> None:
    """Follow next_cursor until `until` is set and a page comes back empty."""
    cursor = None
    while True:
        params = {"limit": 50, **({"after": cursor} if cursor else {})}
        page = requests.get(f"{url}/api/v1/events", params=params, headers=headers, timeout=30).json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if until.is_set() and not page["items"]:
            return
        if not page["items"]:
            time.sleep(0.05)


@pytest.mark.slow
def test_a_poller_sees_every_event_once_in_subject_order_while_several_processes_write(tmp_path, database_uri):
    # Two hosts on one database share one SECRET_KEY (a host with another refuses to start).
    env = {**SETTLE_ENV, "MONGODB_URI": database_uri, "SECRET_KEY": Fernet.generate_key().decode()}
    with Service(tmp_path / "a", env=env) as one, Service(tmp_path / "b", env=env) as two:
        tenant = create_tenant(one.url, "feed-race")
        headers = tenant["headers"]
        stop, settled, seen = threading.Event(), threading.Event(), []
        poller = threading.Thread(target=_poll, args=(two.url, headers, settled, seen))
        poller.start()
        with ThreadPoolExecutor(6) as pool:
            writers = [pool.submit(_writer, (one, two)[w % 2].url, headers, w, stop) for w in range(6)]
            time.sleep(8)
            stop.set()
            assert sum(w.result() for w in writers) > 50
        time.sleep(1.0 + 0.5)  # past the settle time (DB_TIMEOUT_MS + EVENTS_CLOCK_SKEW_MS)
        settled.set()
        poller.join(60)
        assert not poller.is_alive()
    client = MongoClient(database_uri)
    stored = list(client.get_default_database()["events"].find({}, {"_id": 1}))
    client.close()
    ids = [event["id"] for event in seen]
    assert len(ids) == len(set(ids)), "an event was seen twice"
    assert set(ids) == {event["_id"] for event in stored}, "an event was skipped"
    _assert_each_subject_in_order(seen)


def _assert_each_subject_in_order(seen: list) -> None:
    by_message, by_order = defaultdict(list), defaultdict(list)
    for event in seen:
        if event["type"].startswith("message."):
            by_message[event["data"]["id"]].append(RANK[event["data"]["status"]] if event["type"] ==
                                                   "message.status_changed" else -1)
        elif event["type"].startswith("order."):
            by_order[event["subject"]].append(event["type"])
    for message_id, ranks in by_message.items():
        assert ranks[0] == -1 and ranks == sorted(ranks), (message_id, ranks)
    for order_id, order_types in by_order.items():
        assert order_types == ["order.created", "order.completed"], (order_id, order_types)
