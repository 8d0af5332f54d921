"""Events on Kafka, with a real broker (Tansu): published once acknowledged, keyed by
subject, and, through a real outage (broker stopped, writes, broker started again),
nothing lost, the API answering as usual, the backlog visible, each key in order."""
import json
import re

import pytest
import requests

from tests.conftest import ADMIN_TOKEN
from tests.integration.kafka_broker import Tansu
from tests.integration.processes import Service, create_tenant, wait_until
from tests.webhook_helpers import fixture

BOT, CUSTOMER = "5511987654321", "5511912345678"
RANK = {"pending": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 9}


def _write(url, headers, tag: str) -> None:
    for n in range(5):
        message = requests.post(f"{url}/api/v1/messages", headers=headers, timeout=30, json={
            "session_id": "s1", "from": BOT, "to": f"{CUSTOMER[:-1]}{n}", "direction": "out", "text": tag,
            "external_id": f"{tag}-{n}"})
        assert message.status_code == 201, message.text
        for status in ("sent", "delivered", "read"):
            assert requests.patch(f"{url}/api/v1/messages/{message.json()['id']}", json={"status": status},
                                  headers=headers, timeout=30).status_code == 200


def _gauge(url: str, name: str) -> float:
    text = requests.get(f"{url}/metrics", timeout=30).text
    return float(re.search(rf"^{name} (\S+)$", text, re.M).group(1))


def _envelopes(records) -> list[dict]:
    return [{**json.loads(r["value"]), "_key": r["key"], "_headers": r["headers"]} for r in records]


def _assert_in_key_order(envelopes) -> None:
    by_message = {}
    for event in envelopes:
        if event["type"].startswith("message."):
            ranks = by_message.setdefault(event["data"]["id"], [])
            rank = -1 if event["type"] == "message.created" else RANK[event["data"]["status"]]
            if rank not in ranks:  # at least once: a repeat is deduplicated on the id
                ranks.append(rank)
    for message_id, ranks in by_message.items():
        assert ranks == sorted(ranks) and ranks[0] == -1, (message_id, ranks)


@pytest.mark.slow
def test_events_reach_kafka_and_survive_a_broker_outage_in_key_order(tmp_path):
    broker = Tansu(tmp_path).start()
    env = {"CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "MONGODB_URI": "", "SNAPSHOT_INTERVAL_S": "0",
           "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "DB_TIMEOUT_MS": "1000"}
    try:
        with Service(tmp_path / "svc", env=env) as service:
            tenant = create_tenant(service.url, "kafka-co")
            _write(service.url, tenant["headers"], "before")
            expected = 5 * 4
            records = broker.read_all(lambda got: len({json.loads(r["value"])["id"] for r in got}) >= expected)
            envelopes = _envelopes(records)
            assert len({e["id"] for e in envelopes}) == expected
            first = envelopes[0]
            assert first["_key"] == f"kafka-co:{first['subject']}" and first["source"] == "/tenants/kafka-co"
            assert first["_headers"] == {"content-type": b"application/cloudevents+json"}
            _assert_in_key_order(envelopes)
            wait_until(lambda: _gauge(service.url, "chatkeep_events_unpublished") == 0, 30)

            broker.stop()  # the outage: the API and the webhooks answer as usual, events wait
            _write(service.url, tenant["headers"], "during")
            hook = requests.post(f"{service.url}/webhooks/evolution/kafka-co?token={tenant['webhook_token']}",
                                 json=fixture("evolution", "connection_update_open"), timeout=30)
            assert hook.status_code == 200 and hook.json()["accepted"] == 1
            expected += 1  # the session's status
            assert requests.get(f"{service.url}/readyz", timeout=30).status_code == 200
            # The publisher counts the backlog (about once a second) for /metrics to read in one query.
            wait_until(lambda: _gauge(service.url, "chatkeep_events_unpublished") == expected, 30)
            assert _gauge(service.url, "chatkeep_events_oldest_unpublished_age_seconds") > 0

            broker.start()  # back, empty (memory storage): everything written since arrives
            records = broker.read_all(lambda got: len({json.loads(r["value"])["id"] for r in got}) >= expected,
                                      timeout_s=90)
            envelopes = _envelopes(records)
            assert {e["data"].get("text", e["type"]) for e in envelopes} == {"during", "session.status_changed"}
            assert len({e["id"] for e in envelopes}) == expected
            _assert_in_key_order(envelopes)
            wait_until(lambda: _gauge(service.url, "chatkeep_events_unpublished") == 0, 60)
    finally:
        broker.stop()


def _stall_delivered(database_uri: str, slug: str, message_id: str) -> tuple[dict, str]:
    """What a worker does to move a message to `delivered` before it stalls: the status
    write with its mark (as messages.apply_status writes it), not yet the event. Returns
    the event it owes and its tenant's id."""
    import time

    from pymongo import MongoClient
    from pymongo.uri_parser import parse_uri

    from models.tenancy import tenant_scope
    from services.events import event_log

    client = MongoClient(database_uri)
    db = client[parse_uri(database_uri)["database"]]
    tenant_id = db.tenants.find_one({"slug": slug})["_id"]
    at = int(time.time() * 1000)
    moved = db.messages.find_one_and_update(
        {"_id": message_id, "tenant_id": tenant_id},
        {"$max": {"status_rank": RANK["delivered"]}, "$min": {"status_times.delivered": at},
         "$set": {"updated_at": at, "event_at": at, "events_due.status-delivered": at, "events_due_at": at}},
        return_document=True)
    with tenant_scope(tenant_id):
        owed = event_log.event_for("message", "status-delivered", at, moved)
    client.close()
    return {**owed, "tenant_id": tenant_id}, database_uri


def _stored_events(database_uri: str, tenant_id: str) -> int:
    from pymongo import MongoClient
    from pymongo.uri_parser import parse_uri

    with MongoClient(database_uri) as client:
        return client[parse_uri(database_uri)["database"]].events.count_documents({"tenant_id": tenant_id})


def _insert(database_uri: str, event: dict) -> None:
    from pymongo import MongoClient
    from pymongo.uri_parser import parse_uri

    with MongoClient(database_uri) as client:
        client[parse_uri(database_uri)["database"]].events.insert_one(event)


@pytest.mark.slow
def test_each_messages_events_reach_kafka_in_the_order_of_its_changes_with_concurrent_writers(tmp_path,
                                                                                              database_uri):
    """Kafka does not wait for the feed's settle window, yet a message's `read` never goes
    out before its `delivered`: writers race on the same messages through two workers, and
    one writer stalls between its `delivered` write and that write's event (the event
    commits seconds later, within the write deadline) while another moves it to `read`."""
    import random
    import time
    from concurrent.futures import ThreadPoolExecutor

    broker = Tansu(tmp_path).start()
    env = {"CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "MONGODB_URI": database_uri, "SNAPSHOT_INTERVAL_S": "0",
           "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "DB_TIMEOUT_MS": "8000"}
    try:
        with Service(tmp_path / "svc", env=env) as service:
            tenant = create_tenant(service.url, "order-co")
            h, url = tenant["headers"], service.url
            ids = [requests.post(f"{url}/api/v1/messages", headers=h, timeout=30, json={
                "session_id": "s1", "from": BOT, "to": f"{CUSTOMER[:-2]}{n:02d}", "direction": "out", "text": "x",
                "external_id": f"race-{n}"}).json()["id"] for n in range(12)]
            patches = [(m, s) for m in ids[1:] for s in ("sent", "delivered", "read", "played")]
            random.Random(7).shuffle(patches)
            with ThreadPoolExecutor(6) as pool:  # racing writers, through both workers
                for done in pool.map(lambda p: requests.patch(f"{url}/api/v1/messages/{p[0]}", headers=h, timeout=30,
                                                              json={"status": p[1]}).status_code, patches):
                    assert done == 200

            stalled = ids[0]
            owed, _ = _stall_delivered(database_uri, "order-co", stalled)
            assert requests.patch(f"{url}/api/v1/messages/{stalled}", headers=h, timeout=30,
                                  json={"status": "read"}).status_code == 200
            time.sleep(2)  # the stalled writer is still at it: its message's `read` waits
            early = _envelopes(broker.read_all(lambda got: False, timeout_s=3))
            assert not [e for e in early if e["data"]["id"] == stalled and e["type"] == "message.status_changed"]
            assert len(early) >= 12  # the rest went out meanwhile
            _insert(database_uri, owed)  # its event commits, within the write deadline

            expected = _stored_events(database_uri, owed["tenant_id"])  # a status that does not move makes none
            records = broker.read_all(lambda got: len({json.loads(r["value"])["id"] for r in got}) >= expected)
            envelopes = _envelopes(records)
            assert len({e["id"] for e in envelopes}) == expected
            _assert_in_key_order(envelopes)
            assert [e["data"]["status"] for e in envelopes if e["data"]["id"] == stalled
                    and e["type"] == "message.status_changed"] == ["delivered", "read"]
    finally:
        broker.stop()
