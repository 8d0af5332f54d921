"""gunicorn processes under test, and their CPU time as /proc reports it.

The service is started exactly as `make run` starts it (`gunicorn -c gunicorn.conf.py
wsgi:app`), in its own session so that stopping it never signals the harness.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ADMIN_TOKEN = "bench-admin-token-0123456789abcdef"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Inherited values that would point a fresh service at someone else's database or metrics.
SCRUBBED_ENV = ("CHATKEEP_EMBEDDED_DB_URI", "PROMETHEUS_MULTIPROC_DIR", "MONGODB_URI", "DATA_DIR", "PORT")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(url: str, timeout_s: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return 0


class Gunicorn:
    """One gunicorn master with its workers; `argv` after the gunicorn binary."""

    def __init__(self, argv: list[str], data_dir: Path, env: dict, ready_path: str, ready_codes=(200,)):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.ready_path = ready_path
        self.ready_codes = ready_codes
        self.argv = argv
        base = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
        self.env = {**base, "PATH": f"{BIN}:{os.environ.get('PATH', '')}", "HOST": "127.0.0.1",
                    "PORT": str(self.port), "DATA_DIR": str(data_dir), "WEB_CONCURRENCY": "2", **env}
        self.proc = None

    def start(self, timeout_s: float = 90.0) -> float:
        """Start and wait for ready_path to answer a ready code; returns the seconds that took."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / f"gunicorn-{self.port}.log", "ab")
        started = time.monotonic()
        self.proc = subprocess.Popen([str(BIN / "gunicorn"), *self.argv], cwd=ROOT, env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        while time.monotonic() - started < timeout_s:
            if self.proc.poll() is not None:
                self._stop_leftover_database()
                raise RuntimeError(f"gunicorn exited {self.proc.returncode}; see {log.name}")
            if http_status(self.url + self.ready_path, 1.0) in self.ready_codes:
                return time.monotonic() - started
            time.sleep(0.02)
        self.stop()
        raise TimeoutError(f"{self.url}{self.ready_path} not ready within {timeout_s}s")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(120)  # on_exit writes a final snapshot before stopping the database
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
            self._stop_leftover_database()

    def _stop_leftover_database(self) -> None:
        """The embedded database runs in its own session: a master that died or was killed
        leaves it behind, and the next run must not find it."""
        leftover = database_pid(self.data_dir)
        if leftover:
            os.kill(leftover, signal.SIGTERM)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def chatkeep(data_dir: Path, mongodb_uri: str | None = None, extra_env: dict | None = None) -> Gunicorn:
    # Scheduled snapshots off: one landing in a random phase of one run would skew it.
    # Snapshots are measured on purpose, in bench/snapshot.py.
    env = {"CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "SNAPSHOT_INTERVAL_S": "0", **(extra_env or {})}
    if mongodb_uri:
        env["MONGODB_URI"] = mongodb_uri
    return Gunicorn(["-c", "gunicorn.conf.py", "wsgi:app"], data_dir, env, "/readyz")


def floor(data_dir: Path) -> Gunicorn:
    return Gunicorn(["-c", "bench/floor_gunicorn.conf.py", "bench.floor_app:app"], data_dir, {}, "/",
                    ready_codes=(405,))  # the floor's one route is POST: a GET answering 405 means up


# --- CPU time from /proc --------------------------------------------------------------

def _stat_fields(pid: int) -> list[str]:
    # The command name may hold spaces or parentheses: split after the last ')'.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (all its threads), 0 if it is gone."""
    try:
        fields = _stat_fields(pid)
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def peak_rss_kb(pid: int) -> int:
    """The process's own peak RSS so far (VmHWM), 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat_fields(int(entry.name))[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def database_pid(data_dir: Path) -> int | None:
    """The embedded nx-27017 server the master started for this DATA_DIR (None with MONGODB_URI)."""
    from services.operations import embedded_db  # the service's own record of its server (bench runs from ROOT)

    return embedded_db.running_pid(str(data_dir))


class CpuMeter:
    """CPU seconds of a gunicorn master + workers, and separately of its database."""

    def __init__(self, service: Gunicorn):
        self.master = service.proc.pid
        self.db_pid = database_pid(service.data_dir)

    def app_pids(self) -> list[int]:
        return [self.master] + [p for p in children(self.master) if p != self.db_pid]

    def read(self) -> dict:
        return {"app": sum(cpu_seconds(p) for p in self.app_pids()),
                "db": cpu_seconds(self.db_pid) if self.db_pid else None}
