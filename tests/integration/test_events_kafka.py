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
