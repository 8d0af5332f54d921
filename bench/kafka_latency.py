"""How soon a Kafka consumer receives an event: from the 2xx of the webhook that wrote
it to its arrival (loopback broker and consumer, one host).

A consumer is assigned every partition at its end before the first write; webhooks go
one at a time, a few per 100 ms (a live trickle, not a backlog); each message.created is
matched to its write by the message's external id.
"""
import json
import threading
import time

import requests

from bench import api, payloads
from bench.stats import percentile

TOPIC = "chatkeep.events"
PACE_S = 0.03


def _consumer(bootstrap: str):
    from confluent_kafka import OFFSET_END, Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-latency-{time.time_ns()}",
                         "enable.auto.commit": False, "fetch.wait.max.ms": 10})
    partitions = consumer.list_topics(TOPIC, timeout=10).topics[TOPIC].partitions
    consumer.assign([TopicPartition(TOPIC, p, OFFSET_END) for p in partitions])
    consumer.poll(0.5)  # the assignment takes effect
    return consumer


def measure(url: str, bootstrap: str, run_tag: str, writes: int) -> dict:
    tenant = api.create_tenant(url, f"latency-{run_tag}")
    path = api.webhook_path(tenant)
    consumer = _consumer(bootstrap)
    acknowledged, arrived = {}, {}

    def write() -> None:
        with requests.Session() as session:
            for n in range(writes):
                key = payloads.message_key(f"{run_tag}L", n)
                answer = session.post(f"{url}{path}", json=payloads.upsert(key, payloads.customer(n % 40), n),
                                      timeout=30)
                if answer.status_code == 200:
                    acknowledged[key] = time.monotonic()
                time.sleep(PACE_S)

    writer = threading.Thread(target=write)
    writer.start()
    deadline = time.monotonic() + writes * PACE_S * 10 + 30
    try:
        while time.monotonic() < deadline and (writer.is_alive() or len(arrived) < len(acknowledged)):
            record = consumer.poll(0.05)
            if record is None or record.error():
                continue
            event = json.loads(record.value())
            if event["type"] == "message.created" and event["data"].get("external_id"):
                arrived.setdefault(event["data"]["external_id"], time.monotonic())
    finally:
        writer.join()
        consumer.close()
    latencies = sorted(arrived[k] - at for k, at in acknowledged.items() if k in arrived)
    if not latencies:
        return {"kafka_latency_p50_s": None, "kafka_latency_p99_s": None}
    return {"kafka_latency_p50_s": percentile(latencies, 50), "kafka_latency_p99_s": percentile(latencies, 99),
            "kafka_missing": len(acknowledged) - len(latencies)}
