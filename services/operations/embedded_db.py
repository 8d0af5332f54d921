"""The embedded development database: one nx-27017 server per DATA_DIR.

The server keeps its files in DATA_DIR/db and describes itself in DATA_DIR/db.json
(pid, port, owner). Whoever needs the database calls `ensure_running`, which under an
exclusive file lock either reuses the live server of that file or starts one, so two
processes never run two servers on the same files. A server left behind by a crashed
run is reused when it answers, replaced when it does not.

The server runs in its own session so that a SIGTERM sent to the service's process
group (Ctrl-C in a terminal, systemd) does not reach it: the service stops it itself,
after its final work, with `stop_if_owner`.
"""
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from services.private_files import PRIVATE_UMASK, open_private, private_dir, write_private_text

log = logging.getLogger(__name__)

# The gunicorn master tells its workers the embedded server's URI through this variable.
URI_ENV = "CHATKEEP_EMBEDDED_DB_URI"
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 15.0


class EmbeddedDatabaseError(RuntimeError):
    """The embedded server could not be started."""


def _paths(data_dir: str) -> dict:
    root = Path(data_dir)
    return {
        "root": root,
        "db": root / "db",
        "state": root / "db.json",
        "lock": root / "db.lock",
        "pid": root / "nx-27017.pid",
        "log": root / "nx-27017.log",
    }


@contextmanager
def _exclusive(lock_path: Path):
    private_dir(lock_path.parent)
    with open_private(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_state(state_path: Path) -> dict | None:
    try:
        return json.loads(state_path.read_text())
    except (OSError, ValueError):
        return None


def _write_state(state_path: Path, state: dict) -> None:
    tmp = state_path.with_suffix(".tmp")
    write_private_text(tmp, json.dumps(state))
    os.replace(tmp, state_path)


def _is_nx_process(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"embedded_db_server" in cmdline or b"nx-27017" in cmdline


def _answers(port: int, timeout_s: float = 1.0) -> bool:
    """A real wire-protocol ping, not just an open port."""
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    client = MongoClient(host="127.0.0.1", port=port, serverSelectionTimeoutMS=int(timeout_s * 1000),
                         connectTimeoutMS=int(timeout_s * 1000), directConnection=True)
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _terminate(pid: int, timeout_s: float = STOP_TIMEOUT_S) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.05)
    log.warning("embedded database pid %s ignored SIGTERM; killing it", pid)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it if it is an exited child of ours
    except ChildProcessError:
        pass
    return _proc_state(pid) not in ("X", "Z")


def _proc_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "X"


def _server_command() -> list[str]:
    return [sys.executable, str(Path(__file__).with_name("embedded_db_server.py"))]


def _start(paths: dict) -> dict:
    private_dir(paths["db"])
    for attempt in range(3):
        port = _free_port()
        cmd = _server_command() + [
            "--data-dir", str(paths["db"]), "--host", "127.0.0.1", "--port", str(port),
            "--pid-file", str(paths["pid"]), "--log-file", str(paths["log"]),
        ]
        # Its own session: signals to our process group must not stop it early. Its
        # umask keeps the files it creates (SQLite files, pid and log) private.
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True,
                                umask=PRIVATE_UMASK)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            if _answers(port, timeout_s=0.5):
                return {"pid": proc.pid, "port": port}
            time.sleep(0.1)
        if proc.poll() is None:
            _terminate(proc.pid)
        log.warning("embedded database did not come up on port %s (attempt %s)", port, attempt + 1)
    raise EmbeddedDatabaseError(f"nx-27017 did not start; see {paths['log']}")


def ensure_running(data_dir: str, owner_pid: int | None = None) -> str:
    """Return the URI of the DATA_DIR's embedded server, starting it if none runs.

    `owner_pid` names the process responsible for stopping it later (the gunicorn
    master, or a CLI process that had to start it); a reuse with an owner takes over.
    """
    paths = _paths(data_dir)
    with _exclusive(paths["lock"]):
        state = _read_state(paths["state"])
        if state and _alive(state["pid"]) and _is_nx_process(state["pid"]):
            if _answers(state["port"]):
                log.debug("reusing embedded database pid %s", state["pid"])
                if owner_pid is not None:
                    _write_state(paths["state"], {**state, "owner": owner_pid})
                return uri_for(state["port"])
            log.warning("embedded database pid %s does not answer; replacing it", state["pid"])
            _terminate(state["pid"])
        stray = _pid_from_file(paths["pid"])
        if stray and _alive(stray) and _is_nx_process(stray):
            # Started by someone who lost its state file: it holds our files, stop it.
            _terminate(stray)
        paths["pid"].unlink(missing_ok=True)
        started = _start(paths)
        _write_state(paths["state"], {**started, "owner": owner_pid or os.getpid()})
        log.info("started embedded database pid %s on port %s", started["pid"], started["port"])
        return uri_for(started["port"])


def _pid_from_file(pid_path: Path) -> int | None:
    try:
        return int(pid_path.read_text().strip())
    except (OSError, ValueError):
        return None


def running_pid(data_dir: str) -> int | None:
    """The pid of the DATA_DIR's live embedded server, or None."""
    state = _read_state(_paths(data_dir)["state"])
    if state and _alive(state["pid"]) and _is_nx_process(state["pid"]):
        return state["pid"]
    return None


def stop_if_owner(data_dir: str, owner_pid: int) -> bool:
    """Stop the embedded server if `owner_pid` is still responsible for it."""
    paths = _paths(data_dir)
    with _exclusive(paths["lock"]):
        state = _read_state(paths["state"])
        if not state or state.get("owner") != owner_pid:
            return False
        _terminate(state["pid"])
        paths["state"].unlink(missing_ok=True)
        log.info("stopped embedded database pid %s", state["pid"])
        return True


def uri_for(port: int) -> str:
    # nx-27017 has no retryable-write sessions; plain writes are what it supports.
    return f"mongodb://127.0.0.1:{port}/chatkeep?directConnection=true&retryWrites=false"
