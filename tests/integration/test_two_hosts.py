"""Two hosts, one database: two gunicorn masters (separate DATA_DIRs, ports and process
groups; the same SECRET_KEY and MONGODB_URI) on one standalone nx-27017 server.

One scenario, so the hosts start once: started together on an empty database with a
generation in each DATA_DIR, one host restores it; the background work shared by the deployment
(scheduled snapshots, gateway sync rounds, the upkeep) is done once per interval across
both hosts;
a key rotated through one host is refused by the other within AUTH_CACHE_S; a host
killed with kill -9 while it holds the erasures lease has its work taken over by the
other within one lease period; a rolling restart under steady writes to both hosts
keeps every acknowledged write, once, every event in the feed once, published to
Kafka (Tansu) once and delivered to a webhook endpoint once, and a host stopped
gracefully hands its held leases back; only the host with SNAPSHOT_ON_SHUTDOWN writes
final snapshots.
"""
import json
import math
import re
from collections import Counter
import os
import shutil
import signal
import socket
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from gunicorn.ctl.client import ControlClient
from pymongo import MongoClient

from app import create_app
from services.operations import scheduler, snapshots
from tests.conftest import ADMIN_TOKEN
from tests.every_tier.test_api_messages import message
from tests.fake_gateways import FakeGateway, waha_session
from tests.integration.kafka_broker import Tansu
from tests.integration.processes import Service, create_tenant, start_nx, stop, wait_until
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.slow
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SNAPSHOT_S = 4
SYNC_S = 2
UPKEEP_S = 2
AUTH_CACHE_S = 2
ERASURE_LEASE_S = 8  # a killed holder's erasure is taken over within this (default 60)
GATEWAY_KEY = "waha-key-0123456789"
ERASED_PHONE = "5511955550000"


class TimedRequests(list):
    """The fake gateway's request log, with when each request arrived."""

    def append(self, item):
        super().append((time.time(), *item))


def _env(uri: str, secret_key: str, snapshot_on_shutdown: bool, kafka: str) -> dict:
    return {"MONGODB_URI": uri, "KAFKA_BOOTSTRAP_SERVERS": kafka, "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN,
            "SECRET_KEY": secret_key,
            "SNAPSHOT_INTERVAL_S": str(SNAPSHOT_S), "SNAPSHOT_KEEP": "1000",
            "SNAPSHOT_ON_SHUTDOWN": str(snapshot_on_shutdown).lower(),
            "GATEWAY_SYNC_INTERVAL_S": str(SYNC_S), "OUTBOUND_ALLOW_PRIVATE": "true",
            "UPKEEP_INTERVAL_S": str(UPKEEP_S), "ERASURE_LEASE_S": str(ERASURE_LEASE_S),
            "AUTH_CACHE_S": str(AUTH_CACHE_S), "AUTH_FAILURE_LIMIT": "100000"}


def _seed_generation(uri: str, secret_key: str, data_dirs: list[Path]) -> dict:
    """A snapshot generation with one tenant and one message, written from another database
    and copied into every host's DATA_DIR, as after losing the database: the hosts start on
    an empty one with generations to restore. The tenant, with its API key."""
    app = create_app({"MONGODB_URI": uri.replace("/chatkeep?", "/seed?"), "DATA_DIR": str(data_dirs[0]),
                      "SECRET_KEY": secret_key, "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "TESTING": True})
    client = app.test_client()
    created = client.post("/api/v1/admin/tenants", json={"slug": "restored", "name": "Restored"}, headers=ADMIN)
    headers = {"Authorization": f"Bearer {created.get_json()['api_key']}"}
    assert client.post("/api/v1/messages", json=message("in", "before-the-loss"), headers=headers).status_code == 201
    with app.app_context():
        snapshots.take_snapshot(str(data_dirs[0]), "manual", 10)
    for data_dir in data_dirs[1:]:
        shutil.copytree(data_dirs[0] / "snapshots", data_dir / "snapshots")
    return headers


def _start_both(*hosts: Service) -> None:
    for host in hosts:
        host.start(wait=False)
    for host in hosts:
        wait_until(host.ready, 60, 0.2)


def _controlled_master(host: Service) -> int:
    """The pid of the gunicorn master that answers on the host's control socket (`gunicornc`)."""
    with ControlClient(str(host.data_dir / "gunicorn.ctl"), timeout=10) as client:
        return client.send_command("show stats")["pid"]


def _worker_pids(host: Service) -> list[int]:
    with ControlClient(str(host.data_dir / "gunicorn.ctl"), timeout=10) as client:
        return [worker["pid"] for worker in client.send_command("show workers")["workers"]]


def _live_leases_of(leases, pids: list[int]) -> list[dict]:
    """Leases still held, unexpired, by these processes (holder "<hostname>:<pid>")."""
    holders = [f"{socket.gethostname()}:{pid}" for pid in pids]
    return list(leases.find({"holder": {"$in": holders}, "expires_at": {"$gt": time.time() * 1000}}))


def _manifests(data_dir: Path) -> list[dict]:
    root = data_dir / "snapshots"
    return [json.loads((p / "manifest.json").read_text()) for p in root.iterdir()
            if (p / "manifest.json").exists()] if root.exists() else []


def _timestamp(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _started(manifest: dict) -> float:
    return _timestamp(manifest["created_at"])


def _ticks(began: float, ended: float, interval_s: int) -> int:
    """Multiples of `interval_s` (the scheduler's aligned ticks) within (began, ended]."""
    return math.floor(ended / interval_s) - math.floor(began / interval_s)


class UpkeepRuns:
    """The upkeep runs each host started (chatkeep_upkeep_runs_total), read before it stops:
    a host's metrics start from zero at each start."""

    def __init__(self):
        self.total = 0.0

    def before_stopping(self, host: Service) -> None:
        text = requests.get(f"{host.url}/metrics", timeout=10).text
        self.total += sum(float(line.split()[-1]) for line in text.splitlines()
                          if line.startswith("chatkeep_upkeep_runs_total"))


def _parent_pid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _holder_host(leases, name: str, hosts: list[Service]) -> Service | None:
    """The host whose worker holds the lease `name` now (holder "<hostname>:<pid>")."""
    lease = leases.find_one({"_id": name})
    if not lease or lease["expires_at"] < time.time() * 1000:
        return None
    pid = int(lease["holder"].rsplit(":", 1)[1])
    try:
        parent = _parent_pid(pid)
    except (FileNotFoundError, ProcessLookupError):
        return None
    return next((host for host in hosts if host.proc.pid == parent and host.proc.poll() is None), None)


class Writers:
    """Clients writing messages to one host each, steadily, recording what was acknowledged."""

    def __init__(self, headers: dict, hosts: dict[str, Service], per_host: int = 2):
        self.headers, self.hosts = headers, hosts
        self.acknowledged: dict[str, list[str]] = {name: [] for name in hosts}
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._write, args=(name, n), daemon=True)
                        for name in hosts for n in range(per_host)]

    def _write(self, name: str, n: int) -> None:
        session, i = requests.Session(), 0
        while not self.stopping.is_set():
            external_id = f"{name}{n}-{i}"
            i += 1
            try:
                response = session.post(f"{self.hosts[name].url}/api/v1/messages", headers=self.headers,
                                        json=message("in", external_id), timeout=10)
            except requests.RequestException:  # the host is restarting: keep trying, as a client would
                session = requests.Session()
                self.stopping.wait(0.1)
                continue
            if response.status_code == 201:
                self.acknowledged[name].append(external_id)
            self.stopping.wait(0.05)  # steady load, not a flood: two cores are shared

    def count(self, name: str) -> int:
        return len(self.acknowledged[name])

    def more_on(self, name: str, n: int = 10) -> None:
        """Wait until the host `name` acknowledged `n` more writes (it is serving)."""
        start = self.count(name)
        wait_until(lambda: self.count(name) >= start + n, 60)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(15)


def _gauge(url: str, name: str) -> float:
    return float(re.search(rf"^{name} (\S+)$", requests.get(f"{url}/metrics", timeout=10).text, re.M).group(1))


def _feed(url: str, headers: dict) -> list[dict]:
    """Every event the tenant's feed shows now, oldest first."""
    events, after = [], None
    while True:
        page = requests.get(f"{url}/api/v1/events", headers=headers, timeout=10,
                            params={"limit": 200, **({"after": after} if after else {})}).json()
        events += page["items"]
        if not page["items"]:
            return events
        after = page["next_cursor"]


def _created_for(events: list[dict], external_ids: set) -> list[str]:
    """The ids of the message.created events of these messages."""
    return [e["id"] for e in events if e["type"] == "message.created" and e["data"]["external_id"] in external_ids]


def _stored_external_ids(url: str, headers: dict) -> list[str]:
    stored, cursor = [], None
    while True:
        page = requests.get(f"{url}/api/v1/messages", headers=headers, timeout=10,
                            params={"limit": 200, **({"cursor": cursor} if cursor else {})}).json()
        stored += [m["external_id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return stored


def test_two_hosts_share_the_work_and_survive_restarts_and_a_crash(tmp_path):
    nx, uri = start_nx(tmp_path / "nx")
    broker = Tansu(tmp_path).start()
    receiver = Receiver()
    gateway = FakeGateway("X-Api-Key", GATEWAY_KEY)
    gateway.requests = TimedRequests()
    for session_id in ("s1", "s2"):
        gateway.routes[f"/api/sessions/{session_id}"] = (200, waha_session(session_id, "WORKING"))
    secret_key = Fernet.generate_key().decode()
    a = Service(tmp_path / "host-a", _env(uri, secret_key, snapshot_on_shutdown=True, kafka=broker.bootstrap))
    b = Service(tmp_path / "host-b", _env(uri, secret_key, snapshot_on_shutdown=False, kafka=broker.bootstrap))
    a.name, b.name = "a", "b"
    hosts = [a, b]
    database = MongoClient(uri)
    leases = database["chatkeep"]["leases"]
    upkeep_runs = UpkeepRuns()
    restored_headers = _seed_generation(uri, secret_key, [a.data_dir, b.data_dir])
    began = time.time()
    try:
        # Both start at once on the empty database, each with the generation: one restores it.
        _start_both(a, b)
        assert [host.log().count("restoring snapshot") for host in hosts].count(1) == 1, [a.log(), b.log()]
        assert sum(host.log().count("restoring snapshot") for host in hosts) == 1
        for host in hosts:
            kept = requests.get(f"{host.url}/api/v1/messages", headers=restored_headers, timeout=10).json()
            assert [m["external_id"] for m in kept["items"]] == ["before-the-loss"]
        assert [_controlled_master(host) for host in hosts] == [a.proc.pid, b.proc.pid]
        tenant = create_tenant(a.url, "shop")
        headers = tenant["headers"]

        # Two sessions linked to one gateway (through either host): synced by rounds from now on.
        for session_id in ("s1", "s2"):
            assert requests.put(f"{b.url}/api/v1/sessions/{session_id}", json={"status": "connecting"},
                                headers=headers, timeout=10).status_code in (200, 201)
            linked = requests.put(f"{a.url}/api/v1/sessions/{session_id}/gateway", headers=headers, timeout=10,
                                  json={"kind": "waha", "base_url": gateway.url, "api_key": GATEWAY_KEY})
            assert linked.status_code == 200, linked.text

        # A key rotated through host A is refused by host B within AUTH_CACHE_S.
        rotating = create_tenant(a.url, "rotating")
        for _ in range(6):  # host B's workers have the old key cached
            assert requests.get(f"{b.url}/api/v1/sessions", headers=rotating["headers"], timeout=10).ok
        rotated = requests.post(f"{a.url}/api/v1/admin/tenants/rotating/rotate-key", headers=ADMIN, timeout=10)
        assert rotated.status_code == 200
        refused_by = time.monotonic() + AUTH_CACHE_S
        time.sleep(max(0.0, refused_by - time.monotonic()))  # the bound itself: no condition to await
        old_key_on_b = [requests.get(f"{b.url}/api/v1/sessions", headers=rotating["headers"], timeout=10).status_code
                        for _ in range(6)]
        assert old_key_on_b == [401] * 6
        new_key = {"Authorization": f"Bearer {rotated.json()['api_key']}"}
        assert requests.get(f"{b.url}/api/v1/sessions", headers=new_key, timeout=10).status_code == 200

        # kill -9 the host whose worker holds the erasures lease; the other finishes the erasure.
        assert requests.post(f"{a.url}/api/v1/messages", headers=headers, timeout=10,
                             json={**message("in", "to-erase"), "from": ERASED_PHONE}).status_code == 201
        # Kafka has every event so far: the publisher is idle, not killed mid-batch (at least once).
        wait_until(lambda: _gauge(a.url, "chatkeep_events_unpublished") == 0, 30)
        holder = wait_until(lambda: _holder_host(leases, "erasures", hosts), 30)
        survivor = b if holder is a else a
        upkeep_runs.before_stopping(holder)
        os.killpg(holder.proc.pid, signal.SIGKILL)
        holder.proc.wait(10)
        killed_at = time.time()
        erased = requests.delete(f"{survivor.url}/api/v1/contacts/{ERASED_PHONE}", headers=headers, timeout=30)
        assert erased.status_code in (200, 202), erased.text
        lease_period_s = ERASURE_LEASE_S + scheduler.ERASURE_INTERVAL_S

        def swept():  # the last sweep is the runner's, under the erasures lease
            stored = database["chatkeep"]["erasures"].find_one({"_id": erased.json()["id"]})
            return stored if stored.get("swept_at") else None
        stored = wait_until(swept, lease_period_s + 15, 0.5)
        done = requests.get(f"{survivor.url}/api/v1/contacts/erasures/{erased.json()['id']}", headers=headers,
                            timeout=10).json()
        assert done["state"] == "done" and done["erased"]["messages"] == 1 and stored["phone"] is None
        assert stored["swept_at"] / 1000 - killed_at <= lease_period_s + 5, (stored, killed_at)
        assert _holder_host(leases, "erasures", hosts) is survivor
        holder.start()  # the crashed host comes back on its DATA_DIR

        # A rolling restart under steady writes to both hosts: SIGTERM one, start it again,
        # then the other. The first holds the erasures lease: it hands it back as it stops,
        # and the other host takes it at its next tick, not a lease period later.
        first, second = survivor, holder
        endpoint = requests.post(f"{b.url}/api/v1/webhook-endpoints", headers=headers, timeout=10,
                                 json={"url": receiver.url, "types": ["message.created"]})
        assert endpoint.status_code == 201, endpoint.text
        with Writers(headers, {"a": a, "b": b}) as writers:
            writers.more_on("a")
            writers.more_on("b")
            upkeep_runs.before_stopping(first)
            first_workers = _worker_pids(first)
            assert first.stop() == 0
            assert _live_leases_of(leases, first_workers) == []
            wait_until(lambda: _holder_host(leases, "erasures", hosts) is second, scheduler.ERASURE_INTERVAL_S + 5)
            writers.more_on(second.name)
            first.start()
            writers.more_on(first.name)
            upkeep_runs.before_stopping(second)
            assert second.stop() == 0
            writers.more_on(first.name)
            second.start()
            writers.more_on(second.name)
        acknowledged = writers.acknowledged["a"] + writers.acknowledged["b"]
        stored = [e for e in _stored_external_ids(b.url, headers) if e != "to-erase"]
        assert set(acknowledged) <= set(stored), sorted(set(acknowledged) - set(stored))[:10]
        assert len(stored) == len(set(stored)), "a write stored twice"

        # Every event in the feed once; each published to Kafka once, and each
        # message.created delivered to the webhook endpoint once.
        written = set(acknowledged)
        feed = wait_until(lambda: (events := _feed(a.url, headers))
                          and written <= {e["data"].get("external_id") for e in events} and events, 30)
        assert len(feed) == len({e["id"] for e in feed}), "an event twice in the feed"
        created = _created_for(feed, written)
        assert len(created) == len(written)
        in_feed = {e["id"] for e in feed}
        records = broker.read_all(lambda got: in_feed <= {json.loads(r["value"])["id"] for r in got})
        published = Counter(json.loads(r["value"])["id"] for r in records if r["key"].startswith("shop:"))
        assert in_feed <= set(published), sorted(in_feed - set(published))[:5]
        assert [i for i, n in published.items() if n > 1] == [], "published twice"
        wait_until(lambda: set(created) <= {r["headers"]["ChatKeep-Event-Id"] for r in receiver.delivered()}, 60)
        delivered = Counter(r["headers"]["ChatKeep-Event-Id"] for r in receiver.delivered())
        assert set(delivered) == set(created) and set(delivered.values()) == {1}, delivered.most_common(3)
    finally:
        for host in hosts:
            if host.proc is not None and host.proc.poll() is None:
                try:
                    upkeep_runs.before_stopping(host)
                finally:
                    host.stop()
        database.close()
        gateway.close()
        receiver.close()
        broker.stop()
        stop(nx)
    ended = time.time()

    # One scheduled snapshot per interval across both hosts, never one per host.
    scheduled = sorted((m for host in hosts for m in _manifests(host.data_dir) if m["trigger"] == "scheduled"),
                       key=_started)
    intervals = _ticks(began, ended, SNAPSHOT_S)
    assert 3 <= len(scheduled) <= intervals, ([m["generation"] for m in scheduled], intervals)
    starts = [_started(m) for m in scheduled]
    assert all(later - earlier >= SNAPSHOT_S / 2 for earlier, later in zip(starts, starts[1:])), \
        "two hosts took the same interval"

    # Final snapshots only from host A (SNAPSHOT_ON_SHUTDOWN): its rolling restart and the end
    # (kill -9 writes none).
    shutdowns = {host.data_dir.name: [m for m in _manifests(host.data_dir) if m["trigger"] == "shutdown"]
                 for host in hosts}
    assert len(shutdowns["host-a"]) == 2 and shutdowns["host-b"] == [], shutdowns
    assert "no final snapshot: SNAPSHOT_ON_SHUTDOWN is false" in b.log()

    # The upkeep once per slot across both hosts (runs after a host's last reading are not counted).
    upkeep_slots = _ticks(began, ended, UPKEEP_S)
    assert 3 <= upkeep_runs.total <= upkeep_slots, (upkeep_runs.total, upkeep_slots)

    # Each linked session synced once per round: never two syncs of a session in one round.
    rounds = _ticks(began, ended, SYNC_S)  # rounds the hosts lived through, at most
    for session_id in ("s1", "s2"):
        times = sorted(t for t, path, _headers in gateway.requests if path == f"/api/sessions/{session_id}")
        assert 3 <= len(times) <= rounds, (session_id, len(times), rounds)
        # Two hosts syncing in one round would do it at the same aligned tick; a round's job
        # may start a second late under load (the next round's on time), so a quarter round.
        assert all(later - earlier >= SYNC_S / 4 for earlier, later in zip(times, times[1:])), \
            f"{session_id} synced twice in one round"
