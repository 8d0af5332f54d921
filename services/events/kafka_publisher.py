"""Publishing the event log to Kafka (confluent-kafka), by one process at a time.

The process holding the `events-publisher` lease (services.operations.scheduler) sends
tenants' unpublished events oldest first, keyed `<slug>:<subject>` so one subject stays
on one partition, and marks `published` only what the broker acknowledged. The producer
is idempotent with acks=all: while the broker is away, the batch in flight waits inside
librdkafka (its retries keep each partition's order) and nothing newer is sent. A batch
not delivered within MESSAGE_TIMEOUT_MS, or a fatal error (a broker that lost its state
forgets the producer id), gets the producer replaced and the events not acknowledged
sent again, oldest first: delivery is at least once, consumers dedupe on the id. The
producer is created in the process that publishes, after gunicorn has forked
(librdkafka's threads do not survive a fork).

Soon, without the feed's settle window: writers wake the publisher on their host and
ring their tenant's bell for the others (services.events.doorbell); a tenant woken or
rung lately is looked at every POLL_S, the others not at all (a sweep of every tenant
at the lease's takeover and every SWEEP_S finds what no bell told). Each round sends one
batch per tenant, so one tenant's backlog does not hold the others back.

In each message's order (services.events.publish_order): an event waits while an
earlier change of its message, marked on the message by the same write, has no event
published yet and may still commit one.
"""
import itertools
import logging
import os
import time

from pymongo.errors import PyMongoError

from models.collections import GlobalCollection, scoped
from models.event import Event
from models.lease import Lease
from models.tenant import Tenant
from models.tenancy import tenant_scope
from services import clock, json_text
from services.events import doorbell, event_data, event_log, publish_order
from services.tenancy import tenants

log = logging.getLogger(__name__)
BATCH = 500
FLUSH_S = 5.0
MESSAGE_TIMEOUT_MS = 15_000
CONTENT_TYPE = [("content-type", b"application/cloudevents+json")]
LEASE = "events-publisher"
POLL_S = 0.25  # rounds are this far apart at least: while a tenant is active, its next look
BELLS_S = 0.5  # the bells are read at most this often
LEASE_CHECK_S = 1.0  # before rounds with work, the lease is read at most this often
GATHER_S = 0.02  # after a wake-up: the writes of the same moment go in one batch
RECENT = 20_000  # ids of events this process published lately: predecessors known to be out
SWEEP_S = 600
STATS_S = 1.0  # the backlog's figures, counted at most this often
BACKLOG_EXTRA_S = 4.0  # a run with full batches still to send goes on this much past its time
WARM_S = 2.0  # a standby's wait for the broker's topic metadata, once


def producer_settings(config: dict) -> dict:
    return {"bootstrap.servers": config["KAFKA_BOOTSTRAP_SERVERS"], "enable.idempotence": True, "acks": "all",
            "message.timeout.ms": MESSAGE_TIMEOUT_MS, "linger.ms": 5, "client.id": "chatkeep",
            **(config.get("KAFKA_CONFIG_JSON") or {})}


class Publisher:
    def __init__(self, config: dict, render):
        self.topic = config["KAFKA_TOPIC"]
        self.settings = producer_settings(config)
        self.render = render  # stored events, slug -> envelopes (app.extensions["chatkeep_event_envelopes"])
        self._producer = None
        self._pid = None
        self._fatal = None
        self._acked: dict[str, list[str]] = {}  # tenant id -> ids the broker acknowledged, not yet marked
        self._listener = None
        self._active: dict[str, float] = {}  # tenant id -> monotonic time until which it is looked at
        self._backlog: set[str] = set()  # tenants known to have more to send
        self._full: set[str] = set()  # tenants whose last batch was full: the next round at once
        self._swept_at = None
        self._slugs: dict[str, str] = {}
        self._recent: dict[str, None] = {}  # insertion-ordered: the oldest go first
        self._bells_read_at = float("-inf")
        self._lease_read_at = float("-inf")
        self._stats = None
        self._stats_at = float("-inf")

    # -- the producer ---------------------------------------------------------------

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

    def warm(self) -> None:
        """For a process that does not hold the lease: connect and learn the topic once, so
        that a takeover sends its first batch at once (the first flush of a new producer
        waited about a second for the connection and the metadata)."""
        if self._producer is None:
            try:
                self._get_producer().list_topics(self.topic, timeout=WARM_S)
            except Exception as exc:  # noqa: BLE001 - the broker may be down: the holder's turn finds out
                log.info("kafka: standby producer not connected yet (%s)", exc)

    def _on_error(self, error) -> None:
        if error.fatal():
            self._fatal = error.str()
        else:
            log.info("kafka: %s", error.str())

    # -- rounds ---------------------------------------------------------------------

    def run(self, seconds: float, still_mine=lambda: True) -> int:
        """Publish for about `seconds` (the lease is held): a round at once when writers
        wake it, then every POLL_S while tenants are active (the wake-ups meanwhile go in
        the next round: one batch, not one per write), else wait. `still_mine()` is asked
        before a round that has work (False: another process took the lease, stop).
        How many were acknowledged."""
        if self._listener is None:
            self._listener = doorbell.Listener()
        end, done, woken = time.monotonic() + seconds, 0, set()
        while True:
            started = time.monotonic()
            done += self.publish(woken, still_mine)
            if self._listener is None:  # the lease is lost (stop)
                return done
            woken = set()
            # A backlog: its next batch at once, a little past the run's time rather than a
            # tick later (the scheduler renews the lease between runs, well within it).
            if self._full and time.monotonic() - end < BACKLOG_EXTRA_S:
                continue
            if end - time.monotonic() <= 0:
                return done
            if not self._busy():
                woken = self._listener.wait(end - time.monotonic())
                if not woken:  # idle the whole time: the next run looks again
                    return done
            next_round = max(started + POLL_S, time.monotonic() + GATHER_S)
            while (left := min(next_round, end) - time.monotonic()) > 0:
                woken |= self._listener.wait(left)

    def stop(self) -> None:
        """The lease is gone: stop listening (the next holder binds), forget the state."""
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self._active.clear()
        self._backlog.clear()
        self._swept_at = None

    def _busy(self) -> bool:
        now = time.monotonic()
        self._active = {t: until for t, until in self._active.items() if until > now}
        return bool(self._active or self._backlog)

    def publish(self, woken: set | frozenset = frozenset(), still_mine=lambda: True) -> int:
        """One round: one batch for each tenant woken, rung lately or with a backlog."""
        producer = self._get_producer()
        producer.flush(FLUSH_S if len(producer) else 0)  # what is in flight, first
        done = self._mark_acked()
        due = self._due(woken)
        self._full = set()
        if due and time.monotonic() - self._lease_read_at >= LEASE_CHECK_S:
            self._lease_read_at = time.monotonic()
            if not still_mine():
                self.stop()
                return done
        if not (len(producer) or self._fatal):
            for tenant_id in sorted(due):
                try:
                    self._publish_batch(producer, tenant_id)
                except PyMongoError:
                    raise  # the database: every tenant waits alike (the scheduler logs it once)
                except Exception:  # one tenant's bad event must not stop the others' (issue 25, item 11)
                    log.exception("publishing tenant %s's events failed; the others go on", tenant_id)
                done += self._mark_acked()
                if len(producer) or self._fatal:
                    break  # still waiting for the broker: nothing newer goes out meanwhile
        self._record_stats(due)
        return done

    def _due(self, woken) -> set[str]:
        now, window = time.monotonic(), (doorbell.BELL_MS + event_log.settle_ms()) / 1000
        for tenant_id in woken:
            self._active[tenant_id] = now + window
        if now - self._bells_read_at >= BELLS_S:  # other hosts' writers (this host's wake it)
            self._bells_read_at = now
            since = clock.now_ms() - doorbell.BELL_MS - event_log.settle_ms()
            for bell in doorbell.bells().find({"at": {"$gte": since}}):
                self._active[bell["_id"]] = max(self._active.get(bell["_id"], 0), now + (bell["at"] - since) / 1000)
        if self._swept_at is None or now - self._swept_at > SWEEP_S:
            self._swept_at = now
            self._slugs = {}
            for tenant in tenants.each_tenant():
                self._slugs[tenant.id] = tenant.slug
                with tenant_scope(tenant.id):
                    if scoped(Event).find_one({"published": 0}, projection={"_id": 1}) is not None:
                        self._backlog.add(tenant.id)
        return set(self._active) | self._backlog

    def _slug(self, tenant_id: str) -> str | None:
        if tenant_id not in self._slugs:
            tenant = GlobalCollection(Tenant).find_one({"_id": tenant_id})
            if tenant is None:  # removed since
                return None
            self._slugs[tenant_id] = tenant["slug"]
        return self._slugs[tenant_id]

    def _publish_batch(self, producer, tenant_id: str) -> int:
        slug = self._slug(tenant_id)
        if slug is None:
            self._backlog.discard(tenant_id)
            self._active.pop(tenant_id, None)
            return 0
        with tenant_scope(tenant_id):
            events = list(scoped(Event).find({"published": 0}, sort=[("pos", 1)], limit=BATCH))
            messages = event_data.messages_of(events)
            ready = publish_order.ready(events, messages, self._recent)
            envelopes = self.render(ready, slug, messages) if ready else []
        acked = self._acked.setdefault(tenant_id, [])
        for event, envelope in zip(ready, envelopes):
            self._produce(producer, f"{slug}:{envelope['subject']}", json_text.compact(envelope), event["_id"], acked)
        if ready:
            producer.flush(FLUSH_S)
        if len(events) == BATCH or len(ready) < len(events):
            self._backlog.add(tenant_id)  # more to send, or some wait for their predecessors
        else:
            self._backlog.discard(tenant_id)
        if len(events) == BATCH and ready:
            self._full.add(tenant_id)
        return len(ready)

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
        done = 0
        for tenant_id, ids in list(self._acked.items()):
            if ids:
                with tenant_scope(tenant_id):
                    scoped(Event).update_many({"_id": {"$in": list(ids)}}, {"$set": {"published": 1}})
                done += len(ids)
                self._recent.update(dict.fromkeys(ids))
                for old in list(itertools.islice(self._recent, max(0, len(self._recent) - RECENT))):
                    del self._recent[old]
                del ids[:]
        return done

    # -- what /metrics shows --------------------------------------------------------

    def _record_stats(self, due: set[str]) -> None:
        """The backlog (unpublished events, the oldest's time) of the tenants with work, on
        the lease's document, for /metrics to read in one query; written when it changed."""
        now = time.monotonic()
        if now - self._stats_at < STATS_S or (not (due or self._backlog) and self._stats == (0, None)):
            return
        self._stats_at, count, oldest = now, 0, None
        for tenant_id in sorted(due | self._backlog):
            with tenant_scope(tenant_id):
                unpublished = scoped(Event)
                for first in unpublished.find({"published": 0}, sort=[("pos", 1)], limit=1, projection={"pos": 1}):
                    count += unpublished.count({"published": 0})
                    oldest = int(first["pos"][:13]) if oldest is None else min(oldest, int(first["pos"][:13]))
        stats = (count, oldest)
        if stats != self._stats:
            GlobalCollection(Lease).update_one({"_id": LEASE}, {"$set": {"unpublished": count, "oldest_ms": oldest}})
            self._stats = stats


def backlog() -> tuple[int, float]:
    """(unpublished events, age in seconds of the oldest), as the publisher last counted
    them (one read, whatever the number of tenants)."""
    lease = GlobalCollection(Lease).find_one({"_id": LEASE}) or {}
    oldest = lease.get("oldest_ms")
    return lease.get("unpublished") or 0, 0.0 if oldest is None else max(0.0, (clock.now_ms() - oldest) / 1000)


def republish(since_ms: int) -> int:
    """Mark the current tenant's events from `since_ms` on to be published again."""
    marked = scoped(Event).update_many({"pos": {"$gte": f"{since_ms:013d}"}, "published": 1},
                                       {"$set": {"published": 0}})
    doorbell.ring(clock.now_ms())
    return marked
