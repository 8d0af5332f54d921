"""Webhooks: push latency, the idle deployment's cost, healthy endpoints beside tarpits.

- events.webhook_latency_p50_s / _p99_s and events.kafka_latency_p50_s / _p99_s: one service
  (embedded database, events, Kafka on Tansu when available, one webhook endpoint on a
  loopback receiver in this process, a Kafka consumer in this process). Messages are
  POSTed one at a time, PACE_S apart; each latency is from the write's 2xx (as the
  client saw it) to the event's arrival at the receiver / the consumer.
- idle.db_commands_per_s_1000_tenants: a service with IDLE_TENANTS tenants, each with a
  webhook endpoint, nothing written: background database commands per second (every
  worker's scheduler jobs, from chatkeep_db_commands_total{origin="background"}) over
  IDLE_WINDOW_S (whole minutes: one gateway sync round in each), after 35 s of settling.
- delivery.healthy_p99_s_with_tarpit: tenant A has 15 endpoints on loopback tarpits
  (accept, then one header byte every 2 s) and one healthy endpoint; tenant B one
  healthy endpoint; messages to both; the worse p99 of the two healthy endpoints.
"""
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench import api, procs
from bench.stats import percentile

PACE_S = 0.1
IDLE_WINDOW_S = {"smoke": 10, "quick": 60, "full": 120}  # whole minutes: one gateway sync round each
IDLE_TENANTS = {"smoke": 100, "quick": 1000, "full": 1000}
MESSAGES = {"smoke": 20, "quick": 100, "full": 200}
TARPITS = 15


class Arrivals:
    """A loopback webhook receiver: message id -> monotonic arrival time."""

    def __init__(self):
        self.at: dict[str, float] = {}
        arrivals = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                arrivals.at.setdefault(body["data"].get("id"), time.monotonic())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Tarpit:
    """Accepts, reads the request, then drips a header byte every 2 s, never finishing."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        self.open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.open:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn):
        try:
            conn.recv(65536)
            for byte in (b"HTTP/1.1 200 OK\r\n" + b"X-Slow: 1\r\n" * 200):
                if not self.open:
                    break
                conn.sendall(bytes([byte]))
                time.sleep(2)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.open = False
        self.sock.close()


def _create_endpoint(url: str, tenant: dict, target: str) -> None:
    status, raw = api._call("POST", f"{url}/api/v1/webhook-endpoints", {"url": target}, api.auth(tenant))
    if status != 201:
        raise RuntimeError(f"creating an endpoint: {status} {raw[:200]!r}")


def _post_message(url: str, tenant: dict, n: int, tag: str) -> tuple[str, float]:
    status, raw = api._call("POST", f"{url}/api/v1/messages", {
        "session_id": "main", "direction": "in", "from": f"55119{n % 50:08d}", "to": "5511987654321",
        "text": f"bench {n}", "external_id": f"{tag}-{n}"}, api.auth(tenant))
    done = time.monotonic()
    if status != 201:
        raise RuntimeError(f"posting a message: {status} {raw[:200]!r}")
    return json.loads(raw)["id"], done


def _latencies(written: dict, arrived: dict, wait_s: float) -> list:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and not set(written) <= set(arrived):
        time.sleep(0.1)
    return [max(0.0, arrived[i] - at) if i in arrived else None for i, at in written.items()]


class KafkaArrivals:
    def __init__(self, bootstrap: str):
        from confluent_kafka import Consumer

        self.at: dict[str, float] = {}
        self.consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{time.time_ns()}",
                                  "auto.offset.reset": "latest", "enable.auto.commit": False})
        self.consumer.subscribe(["chatkeep.events"])
        self.running = True
        self.assigned = threading.Event()
        threading.Thread(target=self._poll, daemon=True).start()

    def _poll(self):
        while self.running:
            message = self.consumer.poll(0.05)
            if self.consumer.assignment():
                self.assigned.set()
            if message is None or message.error():
                continue
            body = json.loads(message.value())
            if body.get("type") == "message.created":
                self.at.setdefault(body["data"]["id"], time.monotonic())

    def close(self):
        self.running = False
        time.sleep(0.1)
        self.consumer.close()


def push_latency(profile, workdir: Path, tag: str, mongodb_uri=None, bootstrap=None) -> dict:
    env = {"OUTBOUND_ALLOW_PRIVATE": "true", **({"KAFKA_BOOTSTRAP_SERVERS": bootstrap} if bootstrap else {})}
    receiver, kafka = Arrivals(), KafkaArrivals(bootstrap) if bootstrap else None
    try:
        with procs.chatkeep(workdir / "push", mongodb_uri, env) as service:
            tenant = api.create_tenant(service.url, f"push-{tag}")
            _create_endpoint(service.url, tenant, receiver.url)
            if kafka:
                kafka.assigned.wait(30)
            time.sleep(3)  # the deliverer has its lease and its first round behind it
            written = {}
            for n in range(MESSAGES[profile.mode]):
                message_id, at = _post_message(service.url, tenant, n, tag)
                written[message_id] = at
                time.sleep(PACE_S)
            hooks = _latencies(written, receiver.at, 30)
            records = _latencies(written, kafka.at, 30) if kafka else []
    finally:
        receiver.close()
        if kafka:
            kafka.close()
    return {"webhook_latency_p50_s": percentile(hooks, 50), "webhook_latency_p99_s": percentile(hooks, 99),
            "webhook_missing": sum(1 for v in hooks if v is None),
            "kafka_latency_p50_s": percentile(records, 50) if kafka else None,
            "kafka_latency_p99_s": percentile(records, 99) if kafka else None}


def idle_commands(profile, workdir: Path, tag: str, mongodb_uri=None) -> dict:
    receiver = Arrivals()
    try:
        with procs.chatkeep(workdir / "idle", mongodb_uri, {"OUTBOUND_ALLOW_PRIVATE": "true"}) as service:
            def one(n):
                _create_endpoint(service.url, api.create_tenant(service.url, f"idle{n}-{tag}"), receiver.url)
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(one, range(IDLE_TENANTS[profile.mode])))
            time.sleep(35)  # past the engine's endpoint refresh and every tenant-cache first look
            window = IDLE_WINDOW_S[profile.mode]
            counts = api.db_commands(service.url, "background")
            time.sleep(window)
            by_command = api.delta(counts, api.db_commands(service.url, "background"))
    finally:
        receiver.close()
    return {"db_commands_per_s_1000_tenants": sum(by_command.values()) / window, "tenants": IDLE_TENANTS[profile.mode],
            "detail": {"per_s_by_command": {k: v / window for k, v in by_command.items()}}}


def tarpit_latency(profile, workdir: Path, tag: str, mongodb_uri=None) -> dict:
    healthy_a, healthy_b, pits = Arrivals(), Arrivals(), [Tarpit() for _ in range(TARPITS)]
    try:
        with procs.chatkeep(workdir / "tarpit", mongodb_uri, {"OUTBOUND_ALLOW_PRIVATE": "true"}) as service:
            a, b = api.create_tenant(service.url, f"pits-{tag}"), api.create_tenant(service.url, f"calm-{tag}")
            for pit in pits:
                _create_endpoint(service.url, a, pit.url)
            _create_endpoint(service.url, a, healthy_a.url)
            _create_endpoint(service.url, b, healthy_b.url)
            time.sleep(3)
            written_a, written_b = {}, {}
            for n in range(MESSAGES[profile.mode]):
                for tenant, written in ((a, written_a), (b, written_b)):
                    message_id, at = _post_message(service.url, tenant, n, tag)
                    written[message_id] = at
                time.sleep(PACE_S)
            own, other = _latencies(written_a, healthy_a.at, 30), _latencies(written_b, healthy_b.at, 30)
            for pit in pits:
                pit.close()
    finally:
        healthy_a.close()
        healthy_b.close()
        for pit in pits:
            pit.close()
    worst = [v for v in (percentile(own, 99), percentile(other, 99)) if v is not None]
    missing = sum(1 for v in own + other if v is None)
    return {"healthy_p99_s_with_tarpit": (max(worst) if worst else None) if not missing else None,
            "own_tenant_p99_s": percentile(own, 99), "other_tenant_p99_s": percentile(other, 99),
            "missing": missing}
