"""Publishing the event log to Kafka (confluent-kafka), by one process at a time.

The process holding the `events-publisher` lease (services.operations.scheduler) sends
each tenant's unpublished events oldest first, a batch at a time, keyed
`<slug>:<subject>` so one subject stays on one partition, and marks `published` only
what the broker acknowledged. The producer is idempotent with acks=all: while the
broker is away, the batch in flight waits inside librdkafka (its retries keep each
partition's order) and nothing newer is sent. A batch not delivered within
MESSAGE_TIMEOUT_MS, or a fatal error (a broker that lost its state forgets the producer
id), gets the producer replaced and the events not acknowledged sent again, oldest
first: each key's order holds, delivery is at least once, consumers dedupe on the id.
The producer is created in the process that publishes, after gunicorn has forked
(librdkafka's threads do not survive a fork).
"""
import json
import logging
import os

from models.collections import scoped
from models.event import Event
from services import clock
from services.tenancy import tenants

log = logging.getLogger(__name__)
BATCH = 500
FLUSH_S = 5.0
MESSAGE_TIMEOUT_MS = 15_000
CONTENT_TYPE = [("content-type", b"application/cloudevents+json")]


def producer_settings(config: dict) -> dict:
    return {"bootstrap.servers": config["KAFKA_BOOTSTRAP_SERVERS"], "enable.idempotence": True, "acks": "all",
            "message.timeout.ms": MESSAGE_TIMEOUT_MS, "linger.ms": 5, "client.id": "chatkeep",
            **(config.get("KAFKA_CONFIG_JSON") or {})}


class Publisher:
    def __init__(self, config: dict, render):
        self.topic = config["KAFKA_TOPIC"]
        self.settings = producer_settings(config)
        self.render = render  # stored event, slug -> envelope (schemas.events.envelope)
        self._producer = None
        self._pid = None
        self._fatal = None
        self._acked: dict[str, list[str]] = {}  # tenant id -> ids the broker acknowledged, not yet marked

    def _get_producer(self):
        from confluent_kafka import Producer

        if self._producer is not None and (self._fatal or self._pid != os.getpid()):
            log.warning("kafka producer replaced: %s", self._fatal or "the process forked")
            if self._pid == os.getpid():
                self._producer.purge()  # what it held is sent again from the log
            self._producer = None
        if self._producer is None:
            self._fatal, self._pid = None, os.getpid()
            self._producer = Producer({**self.settings, "error_cb": self._on_error})
        return self._producer

    def _on_error(self, error) -> None:
        if error.fatal():
            self._fatal = error.str()
        else:
            log.info("kafka: %s", error.str())

    def publish(self, still_mine=lambda: True) -> int:
        """One round over every tenant, each drained batch by batch; how many events the
        broker acknowledged. `still_mine` renews the lease between batches (False: another
        process has it, stop)."""
        producer = self._get_producer()
        producer.flush(FLUSH_S if len(producer) else 0)  # what is in flight, first
        done = self._mark_acked()
        if len(producer) or self._fatal:
            return done  # still waiting for the broker: nothing newer goes out meanwhile
        for tenant in tenants.each_tenant():
            while True:
                sent = self._publish_batch(producer, tenant)
                done += self._mark_acked()
                if len(producer) or self._fatal or not still_mine():
                    return done
                if sent < BATCH:
                    break
        return done

    def _publish_batch(self, producer, tenant) -> int:
        events = list(scoped(Event).find({"published": 0}, sort=[("pos", 1)], limit=BATCH))
        acked = self._acked.setdefault(tenant.id, [])
        for event in events:
            value = json.dumps(self.render(event, tenant.slug), separators=(",", ":"), ensure_ascii=False)
            self._produce(producer, f"{tenant.slug}:{event['subject']}", value.encode(), event["_id"], acked)
        if events:
            producer.flush(FLUSH_S)
        return len(events)

    def _produce(self, producer, key: str, value: bytes, event_id: str, acked: list) -> None:
        def delivered(error, _message):
            if error is None:
                acked.append(event_id)
            elif self._fatal is None:  # this batch failed: the next starts afresh from the log
                self._fatal = f"a delivery failed: {error.str()}"
        while True:
            try:
                producer.produce(self.topic, key=key.encode(), value=value, headers=CONTENT_TYPE, on_delivery=delivered)
                return
            except BufferError:  # librdkafka's queue is full: let it drain
                producer.poll(0.1)

    def _mark_acked(self) -> int:
        from models.tenancy import tenant_scope

        done = 0
        for tenant_id, ids in list(self._acked.items()):
            if ids:
                with tenant_scope(tenant_id):
                    scoped(Event).update_many({"_id": {"$in": list(ids)}}, {"$set": {"published": 1}})
                done += len(ids)
                del ids[:]
        return done


def backlog() -> tuple[int, float]:
    """(unpublished events, age in seconds of the oldest), over every tenant."""
    count, oldest = 0, None
    for _tenant in tenants.each_tenant():
        unpublished = scoped(Event)
        count += unpublished.count({"published": 0})
        for first in unpublished.find({"published": 0}, sort=[("pos", 1)], limit=1, projection={"pos": 1}):
            at = int(first["pos"][:13])
            oldest = at if oldest is None else min(oldest, at)
    return count, 0.0 if oldest is None else max(0.0, (clock.now_ms() - oldest) / 1000)


def republish(since_ms: int) -> int:
    """Mark the current tenant's events from `since_ms` on to be published again."""
    return scoped(Event).update_many({"pos": {"$gte": f"{since_ms:013d}"}, "published": 1},
                                     {"$set": {"published": 0}})
