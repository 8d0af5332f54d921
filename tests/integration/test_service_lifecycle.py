"""Real gunicorn processes on the embedded database: restarts, signals, crashes."""
import os
import re
import signal
import subprocess
import sys

import pytest
import requests

from services.operations import embedded_db
from tests.conftest import ADMIN_TOKEN
from tests.integration.processes import ROOT, Service, create_tenant, wait_until

pytestmark = pytest.mark.slow
ENV = {"CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "MONGODB_URI": ""}


def _put_session(url, headers, session_id, status="open"):
    response = requests.put(f"{url}/api/v1/sessions/{session_id}", json={"status": status},
                            headers=headers, timeout=10)
    assert response.status_code in (200, 201), response.text


def test_data_survives_sigterm_and_restart_and_database_stops_with_service(tmp_path):
    service = Service(tmp_path, ENV).start()
    assert "embedded nx-27017" in service.log() and "development default" in service.log()
    headers = create_tenant(service.url, "acme")["headers"]
    _put_session(service.url, headers, "store-main")
    db_pid = embedded_db.running_pid(str(tmp_path))
    assert db_pid is not None
    assert service.stop(signal.SIGTERM) == 0
    wait_until(lambda: not os.path.exists(f"/proc/{db_pid}") or
               open(f"/proc/{db_pid}/stat").read().split()[2] == "Z", 20)
    assert embedded_db.running_pid(str(tmp_path)) is None

    service = Service(tmp_path, ENV).start()
    try:
        response = requests.get(f"{service.url}/api/v1/sessions/store-main", headers=headers, timeout=10)
        assert response.status_code == 200 and response.json()["status"] == "open"
    finally:
        service.stop()


def test_sigterm_to_the_whole_process_group_stops_cleanly(tmp_path):
    service = Service(tmp_path, ENV).start()
    headers = create_tenant(service.url, "acme")["headers"]
    _put_session(service.url, headers, "s1")
    db_pid = embedded_db.running_pid(str(tmp_path))
    # The embedded server is outside the group: the group signal must not reach it first.
    assert os.getpgid(db_pid) != os.getpgid(service.proc.pid)
    service.stop(signal.SIGTERM, group=True)
    assert embedded_db.running_pid(str(tmp_path)) is None
    with Service(tmp_path, ENV) as again:
        assert requests.get(f"{again.url}/api/v1/sessions/s1", headers=headers, timeout=10).status_code == 200


def test_leftover_database_of_a_crashed_run_is_reused_not_doubled(tmp_path):
    service = Service(tmp_path, ENV).start()
    headers = create_tenant(service.url, "acme")["headers"]
    _put_session(service.url, headers, "s1")
    db_pid = embedded_db.running_pid(str(tmp_path))
    service.stop(signal.SIGKILL, group=True)  # master and workers die; the database lives on
    assert embedded_db.running_pid(str(tmp_path)) == db_pid

    service = Service(tmp_path, ENV).start()
    try:
        assert embedded_db.running_pid(str(tmp_path)) == db_pid
        assert _database_servers_on(tmp_path / "db") == [db_pid]
        assert requests.get(f"{service.url}/api/v1/sessions/s1", headers=headers, timeout=10).status_code == 200
    finally:
        service.stop()
    assert embedded_db.running_pid(str(tmp_path)) is None  # the new master took it over and stopped it


def test_unresponsive_leftover_database_is_replaced(tmp_path):
    service = Service(tmp_path, ENV).start()
    headers = create_tenant(service.url, "acme")["headers"]
    stale_pid = embedded_db.running_pid(str(tmp_path))
    service.stop(signal.SIGKILL, group=True)
    os.kill(stale_pid, signal.SIGSTOP)  # alive, holding the files, but not answering
    try:
        service = Service(tmp_path, ENV).start()
        try:
            new_pid = embedded_db.running_pid(str(tmp_path))
            assert new_pid != stale_pid
            assert requests.get(f"{service.url}/api/v1/sessions", headers=headers, timeout=10).status_code == 200
        finally:
            service.stop()
    finally:
        try:
            os.kill(stale_pid, signal.SIGCONT)
            os.kill(stale_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _database_servers_on(db_dir) -> list[int]:
    """Pids of every process whose command line serves `db_dir`."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            args = open(f"/proc/{entry}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if entry.isdigit() and str(db_dir).encode() in args:
            pids.append(int(entry))
    return pids


def _flask(tmp_path, *args):
    env = {**os.environ, "DATA_DIR": str(tmp_path), "MONGODB_URI": ""}
    env.pop("CHATKEEP_EMBEDDED_DB_URI", None)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_shares_the_service_database_or_starts_its_own(tmp_path):
    created = _flask(tmp_path, "tenants", "create", "cli-made", "--name", "From CLI")
    assert created.returncode == 0, created.stderr
    api_key = re.search(r"api_key:\s+(\S+)", created.stdout).group(1)
    assert embedded_db.running_pid(str(tmp_path)) is None  # the CLI stopped the server it started

    with Service(tmp_path, ENV) as service:
        db_pid = embedded_db.running_pid(str(tmp_path))
        response = requests.get(f"{service.url}/api/v1/sessions", headers={"X-API-Key": api_key}, timeout=10)
        assert response.status_code == 200
        listed = _flask(tmp_path, "tenants", "list")
        assert listed.returncode == 0 and "cli-made" in listed.stdout
        assert embedded_db.running_pid(str(tmp_path)) == db_pid  # reused, not doubled
        rotated = _flask(tmp_path, "tenants", "rotate-key", "cli-made")
        assert rotated.returncode == 0
        # The workers trust their cached lookup for AUTH_CACHE_S (2 s), then the old key is refused.
        wait_until(lambda: requests.get(f"{service.url}/api/v1/sessions", headers={"X-API-Key": api_key},
                                        timeout=10).status_code == 401, 10)
    duplicate = _flask(tmp_path, "tenants", "create", "cli-made")
    assert duplicate.returncode != 0 and "taken" in duplicate.stderr


def test_invalid_configuration_stops_start_up_with_one_line(tmp_path):
    service = Service(tmp_path, {"PORT": "not-a-port"})
    service.env["PORT"] = "not-a-port"
    service.start(wait=False)
    assert service.proc.wait(30) != 0
    assert "PORT='not-a-port' is invalid" in service.log()


def test_readyz_is_503_while_the_database_is_unreachable(tmp_path):
    with Service(tmp_path, {**ENV, "DB_TIMEOUT_MS": "1000"}) as service:
        db_pid = embedded_db.running_pid(str(tmp_path))
        os.kill(db_pid, signal.SIGSTOP)
        try:
            response = requests.get(f"{service.url}/readyz", timeout=10)
            assert response.status_code == 503 and response.headers["Retry-After"]
            assert response.headers["Content-Type"] == "application/problem+json"
        finally:
            os.kill(db_pid, signal.SIGCONT)
        wait_until(service.ready, 20)


def test_metrics_aggregate_all_workers(tmp_path):
    with Service(tmp_path, ENV, workers=2) as service:
        for _ in range(40):
            requests.get(f"{service.url}/healthz", timeout=5)
        text = requests.get(f"{service.url}/metrics", timeout=5).text
        count = re.search(r'chatkeep_http_requests_total\{method="GET",route="/healthz",status="200"\} (\d+)', text)
        assert count and float(count.group(1)) == 40
