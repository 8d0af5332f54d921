"""Real processes for integration tests: an nx-27017 server and gunicorn services."""
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from services.operations.embedded_db_server import __file__ as NX_LAUNCHER

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A free port below the kernel's ephemeral range. A service's embedded database
    takes an ephemeral port before gunicorn binds this one, and could take this one."""
    ephemeral = Path("/proc/sys/net/ipv4/ip_local_port_range")
    lowest_ephemeral = int(ephemeral.read_text().split()[0]) if ephemeral.exists() else 32768
    for _attempt in range(100):
        port = random.SystemRandom().randrange(lowest_ephemeral // 2, lowest_ephemeral)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def create_tenant(url: str, slug: str) -> dict:
    """A tenant made through the admin API: its one-time secrets, and `headers` for its API key."""
    from tests.conftest import ADMIN_TOKEN

    created = requests.post(f"{url}/api/v1/admin/tenants", json={"slug": slug, "name": slug.title()},
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)
    assert created.status_code == 201, created.text
    return {**created.json(), "headers": {"Authorization": f"Bearer {created.json()['api_key']}"}}


def wait_until(predicate, timeout_s: float = 30.0, interval_s: float = 0.1):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval_s)
    raise TimeoutError(f"condition not met within {timeout_s}s")


def start_nx(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, NX_LAUNCHER, "--data-dir", str(data_dir / "db"), "--port", str(port),
         "--pid-file", str(data_dir / "nx.pid"), "--log-file", str(data_dir / "nx.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    uri = f"mongodb://127.0.0.1:{port}/chatkeep?directConnection=true&retryWrites=false"
    from pymongo import MongoClient
    client = MongoClient(uri, serverSelectionTimeoutMS=500)

    def answers():
        try:
            return client.admin.command("ping")
        except Exception:
            return None
    wait_until(answers, 20)
    client.close()
    return proc, uri


def stop(proc: subprocess.Popen, sig=signal.SIGTERM, timeout_s: float = 30) -> int:
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait(10)


class Service:
    """`gunicorn -c gunicorn.conf.py wsgi:app`, as `make run` starts it."""

    def __init__(self, data_dir: Path, env: dict | None = None, workers: int = 2, app_spec: str = "wsgi:app"):
        """`app_spec`: gunicorn's app, e.g. "app:create_app({'SECRET_KEY': '...'})" for
        settings that are not environment variables (yet)."""
        self.data_dir = data_dir
        self.app_spec = app_spec
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / f"gunicorn-{self.port}.log"
        self.env = {**os.environ, "DATA_DIR": str(data_dir), "PORT": str(self.port),
                    "HOST": "127.0.0.1", "WEB_CONCURRENCY": str(workers),
                    "PATH": f"{BIN}:{os.environ.get('PATH', '')}", **(env or {})}
        self.env.pop("CHATKEEP_EMBEDDED_DB_URI", None)
        self.proc = None

    def start(self, wait: bool = True) -> "Service":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        # A new session, so a test can signal the whole process group as a terminal does.
        self.proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", self.app_spec],
                                     cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        if wait:
            wait_until(self.ready, 60, 0.2)
        return self

    def ready(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited {self.proc.returncode}: {self.log()}")
        try:
            return requests.get(self.url + "/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig=signal.SIGTERM, group: bool = False) -> int:
        if self.proc.poll() is None:
            if group:
                os.killpg(self.proc.pid, sig)
            else:
                self.proc.send_signal(sig)
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
