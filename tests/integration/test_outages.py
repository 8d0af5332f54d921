"""Failures with real processes: a stalled database, restarts, a full disk, a flood."""
import copy
import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from services.operations import embedded_db
from tests.conftest import ADMIN_TOKEN
from tests.integration.processes import Service, create_tenant, wait_until
from tests.webhook_helpers import fixture

pytestmark = pytest.mark.slow
ENV = {"CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "MONGODB_URI": "", "SNAPSHOT_INTERVAL_S": "0", "DB_TIMEOUT_MS": "1000"}
INBOUND = fixture("evolution", "messages_upsert_text_inbound")
STALLED = 12  # webhooks sent while the database is stalled


def _event(n: int, prefix: str = "ev") -> dict:
    body = copy.deepcopy(INBOUND)
    body["data"]["key"]["id"] = f"{prefix}-{n}"
    return body


def _setup(service):
    created = create_tenant(service.url, "acme")
    hook = f"{service.url}/webhooks/evolution/acme?token={created['webhook_token']}"
    headers = created["headers"]
    session = requests.Session()
    for n in range(30):  # every worker has now verified the token once (kept for outages)
        assert session.post(hook, json=_event(n, "warm"), timeout=10).status_code == 200
    return hook, headers, session


def _total(service, headers) -> int:
    return requests.get(f"{service.url}/api/v1/messages?include_total=true&limit=1", headers=headers,
                        timeout=10).json()["total"]


def _spool_depth(service) -> float:
    text = requests.get(f"{service.url}/metrics", timeout=10).text
    return float(next(line.split()[1] for line in text.splitlines() if line.startswith("chatkeep_spool_depth ")))


def test_stalled_database_spools_webhooks_and_replays_them_once(tmp_path):
    with Service(tmp_path, ENV) as service:
        hook, headers, session = _setup(service)
        db_pid = embedded_db.running_pid(str(tmp_path))
        os.kill(db_pid, signal.SIGSTOP)
        try:
            for n in range(STALLED):  # each answer waits out the 2 s request deadline first
                started = time.monotonic()
                response = session.post(hook, json=_event(n), timeout=15)
                assert response.status_code == 200 and response.json()["spooled"] == 1, response.text
                # Measured 2.0-2.5 s (the 2 s request deadline, then the spool); the point is
                # an answer well inside gunicorn's 30 s worker timeout, also on a loaded machine.
                assert time.monotonic() - started < 10
            ready = requests.get(f"{service.url}/readyz", timeout=15)
            assert ready.status_code == 503 and ready.headers["Retry-After"]
            rest = requests.post(f"{service.url}/api/v1/messages", headers=headers, timeout=15, json={
                "session_id": "s", "direction": "in", "from": "5511912345678", "to": "5511987654321", "text": "x"})
            assert rest.status_code == 503 and rest.headers["Retry-After"]
            assert _spool_depth(service) == STALLED
        finally:
            os.kill(db_pid, signal.SIGCONT)
        wait_until(lambda: _spool_depth(service) == 0, 30)
        assert _total(service, headers) == 30 + STALLED
        again = [session.post(hook, json=_event(n), timeout=10).json() for n in range(STALLED)]
        assert all(r == {"accepted": 0, "duplicates": 1, "ignored": 0} for r in again)
        assert _total(service, headers) == 30 + STALLED


def test_spool_survives_a_crash_and_is_replayed_at_start(tmp_path):
    with Service(tmp_path, ENV) as service:  # stopped if the test fails before the crash
        hook, headers, session = _setup(service)
        db_pid = embedded_db.running_pid(str(tmp_path))
        os.kill(db_pid, signal.SIGSTOP)
        try:
            for n in range(10):
                response = session.post(hook, json=_event(n), timeout=15)
                assert response.status_code == 200 and response.json().get("spooled") == 1, response.text
            os.killpg(service.proc.pid, signal.SIGKILL)
            service.proc.wait(10)
        finally:
            os.kill(db_pid, signal.SIGCONT)
    assert len(list((tmp_path / "spool").glob("*.json"))) == 10
    with Service(tmp_path, ENV) as again:
        wait_until(lambda: _total(again, headers) == 40, 30)
        assert not list((tmp_path / "spool").glob("*.json"))


def test_full_disk_while_the_database_is_down_asks_the_gateway_to_retry(tmp_path):
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(spool_dir)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        (spool_dir / "filler").write_bytes(os.urandom(64 * 1024 - 1024))
        with Service(tmp_path, ENV) as service:
            hook, headers, session = _setup(service)
            db_pid = embedded_db.running_pid(str(tmp_path))
            os.kill(db_pid, signal.SIGSTOP)
            try:
                big = _event(1, "big")
                big["data"]["message"]["conversation"] = "x" * 20000
                response = session.post(hook, json=big, timeout=15)
                assert response.status_code == 503 and response.headers["Retry-After"]
            finally:
                os.kill(db_pid, signal.SIGCONT)
            wait_until(service.ready, 20)  # else the retry may meet the database still waking
            # The retry is stored once (the first try may have reached the database before it stalled).
            retry = session.post(hook, json=big, timeout=15).json()
            assert retry["accepted"] + retry["duplicates"] == 1
            assert requests.get(f"{service.url}/api/v1/messages/by-external-id/big-1", headers=headers,
                                timeout=10).status_code == 200
    finally:
        subprocess.run(["umount", "-l", str(spool_dir)], capture_output=True)


def test_flood_of_duplicated_events_is_stored_exactly_once(tmp_path):
    threads, per_thread = 8, 250  # 4,000 posts: CPU-bound, half of the suite's longest wait before
    with Service(tmp_path, ENV) as service:
        hook, headers, _ = _setup(service)

        def sender(t):
            session, statuses = requests.Session(), []
            for n in range(per_thread):
                for _copy in range(2):  # every event delivered twice
                    statuses.append(session.post(hook, json=_event(t * per_thread + n, "flood"), timeout=30).status_code)
            return statuses

        with ThreadPoolExecutor(threads) as pool:
            statuses = [s for result in pool.map(sender, range(threads)) for s in result]
        assert len(statuses) == threads * per_thread * 2 and set(statuses) == {200}
        assert _total(service, headers) == 30 + threads * per_thread
        conversations = requests.get(f"{service.url}/api/v1/conversations", headers=headers, timeout=10).json()
        assert conversations["items"][0]["message_count"] == 30 + threads * per_thread
