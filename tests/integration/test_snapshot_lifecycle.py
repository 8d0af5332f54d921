"""Snapshots with real processes: scheduling across workers, shutdown, restore, crashes."""
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from datetime import datetime

import pytest
import requests

from services.operations import embedded_db
from services.operations.snapshot_files import read_records
from tests.conftest import ADMIN_TOKEN
from tests.every_tier.test_api_messages import message
from tests.integration.processes import Service, create_tenant, wait_until

pytestmark = pytest.mark.slow
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
ENV = {"CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "MONGODB_URI": "", "SNAPSHOT_INTERVAL_S": "0"}


def _tenant(url):
    created = create_tenant(url, "snap")
    return created["headers"], created["webhook_token"]


def _manifests(data_dir):
    root = data_dir / "snapshots"
    found = [p for p in root.iterdir() if (p / "manifest.json").exists() and not p.name.endswith(".corrupt")] \
        if root.exists() else []
    return sorted((json.loads((p / "manifest.json").read_text()) for p in found), key=lambda m: m["generation"])


def test_three_workers_take_one_scheduled_snapshot_per_interval(tmp_path):
    began = time.monotonic()
    with Service(tmp_path, {**ENV, "SNAPSHOT_INTERVAL_S": "2"}, workers=3) as service:
        _tenant(service.url)
        time.sleep(9)
    intervals = (time.monotonic() - began) // 2 + 1  # ticks the workers lived through, at most
    scheduled = [m for m in _manifests(tmp_path) if m["trigger"] == "scheduled"]
    # Never one snapshot per worker (about 3 * intervals); at least 2 even on a loaded
    # machine, where an idle-priority snapshot process starts late.
    assert 2 <= len(scheduled) <= intervals, ([m["generation"] for m in scheduled], intervals)
    starts = sorted(datetime.fromisoformat(m["created_at"].replace("Z", "+00:00")).timestamp() for m in scheduled)
    # Ticks are 2 s apart; two snapshots much closer than that shared one interval.
    assert all(b - a >= 0.5 for a, b in zip(starts, starts[1:])), "two workers took the same interval"
    # The host lock alone would hide a broken lease (the other workers' snapshots skip
    # their turn): each tick starts one snapshot, taken or skipped, never one per worker.
    skipped = service.log().count("scheduled snapshot skipped")
    assert len(scheduled) + skipped <= intervals, (len(scheduled), skipped, intervals)
    assert [m["trigger"] for m in _manifests(tmp_path)].count("shutdown") == 1


def test_group_sigterm_writes_one_final_snapshot_with_the_last_write(tmp_path):
    service = Service(tmp_path, ENV).start()
    headers, _ = _tenant(service.url)
    written = []
    for i in range(20):
        response = requests.post(f"{service.url}/api/v1/messages", json=message("in", f"m{i}"), headers=headers,
                                 timeout=10)
        assert response.status_code == 201
        written.append(response.json()["id"])
    service.stop(signal.SIGTERM, group=True)
    manifests = _manifests(tmp_path)
    assert [m["trigger"] for m in manifests] == ["shutdown"]
    assert manifests[0]["files"]["messages.jsonl.gz"]["records"] == 20
    generation = tmp_path / "snapshots" / manifests[0]["generation"]
    # Every acknowledged message exactly once (the final snapshot comes after the last answer).
    assert sorted(r["_id"] for r in read_records(generation / "messages.jsonl.gz")) == sorted(written)
    assert embedded_db.running_pid(str(tmp_path)) is None  # stopped after the snapshot


def test_a_data_dir_with_only_snapshots_comes_back_with_everything(tmp_path):
    first = tmp_path / "first"
    service = Service(first, ENV).start()
    headers, webhook_token = _tenant(service.url)
    requests.post(f"{service.url}/api/v1/messages", json=message("in", "keep-me"), headers=headers, timeout=10)
    requests.put(f"{service.url}/api/v1/chat-sessions/5511912345678", json={"state": {"step": "cart"}},
                 headers=headers, timeout=10)
    service.stop()
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.copytree(first / "snapshots", moved / "snapshots")
    with Service(moved, ENV) as again:
        restored = [line for line in again.log().splitlines() if "WARNING" in line and "restored snapshot" in line]
        assert len(restored) == 1 and str(moved / "snapshots") in restored[0] and "messages.jsonl.gz 1 restored" \
            in restored[0], again.log()
        got = requests.get(f"{again.url}/api/v1/messages/by-external-id/keep-me", headers=headers, timeout=10)
        assert got.status_code == 200
        state = requests.get(f"{again.url}/api/v1/chat-sessions/5511912345678", headers=headers, timeout=10)
        assert state.json()["state"] == {"step": "cart"}
        hook = requests.post(f"{again.url}/webhooks/evolution/snap?token={webhook_token}",
                             json={"event": "qrcode.updated", "instance": "i1", "data": {}}, timeout=10)
        assert hook.status_code == 200  # the webhook token survived the move too
    # A restart on non-empty data restores nothing. The master restores before it boots
    # workers, so this start's log runs from "Starting gunicorn".
    with Service(moved, ENV) as third:
        this_start = third.log().split("Starting gunicorn")[-1]
        assert "Booting worker" in this_start and "restor" not in this_start


def test_truncated_newest_generation_falls_back_to_the_previous(tmp_path):
    first = tmp_path / "first"
    service = Service(first, ENV).start()
    headers, _ = _tenant(service.url)
    requests.post(f"{service.url}/api/v1/messages", json=message("in", "old"), headers=headers, timeout=10)
    assert requests.post(f"{service.url}/api/v1/admin/snapshots", headers=ADMIN, timeout=30).status_code == 201
    requests.post(f"{service.url}/api/v1/messages", json=message("in", "new"), headers=headers, timeout=10)
    service.stop()
    newest = _manifests(first)[-1]["generation"]
    target = first / "snapshots" / newest / "messages.jsonl.gz"
    target.write_bytes(target.read_bytes()[: len(target.read_bytes()) // 2])
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.copytree(first / "snapshots", moved / "snapshots")
    with Service(moved, ENV) as again:
        old = requests.get(f"{again.url}/api/v1/messages/by-external-id/old", headers=headers, timeout=10)
        new = requests.get(f"{again.url}/api/v1/messages/by-external-id/new", headers=headers, timeout=10)
        assert old.status_code == 200 and new.status_code == 404
    assert (moved / "snapshots" / f"{newest}.corrupt").is_dir()


def test_kill_9_during_writes_loses_no_acknowledged_write(tmp_path):
    service = Service(tmp_path, ENV).start()
    headers, _ = _tenant(service.url)
    acknowledged, stop = [], threading.Event()

    def writer(n):
        session = requests.Session()
        i = 0
        while not stop.is_set():
            try:
                response = session.post(f"{service.url}/api/v1/messages", json=message("in", f"w{n}-{i}"),
                                        headers=headers, timeout=5)
            except requests.RequestException:
                return
            if response.status_code == 201:
                acknowledged.append(f"w{n}-{i}")
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    wait_until(lambda: len(acknowledged) >= 150, 60)
    db_pid = embedded_db.running_pid(str(tmp_path))
    os.killpg(service.proc.pid, signal.SIGKILL)  # the service...
    os.kill(db_pid, signal.SIGKILL)  # ...and its database, mid-write
    stop.set()
    for thread in threads:
        thread.join()
    service.proc.wait(10)
    with Service(tmp_path, ENV) as again:
        stored, cursor = [], None
        while True:
            page = requests.get(f"{again.url}/api/v1/messages", headers=headers, timeout=10,
                                params={"limit": 200, **({"cursor": cursor} if cursor else {})}).json()
            stored += [m["external_id"] for m in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
    # Every acknowledged write, each once; requests in flight at the kill may have landed too.
    assert set(acknowledged) <= set(stored) and len(stored) == len(set(stored))


def test_full_disk_keeps_the_old_generations(tmp_path):
    snapshots_dir = tmp_path / "snapshots"
    snapshots_dir.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(snapshots_dir)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here to fill up")
    try:
        with Service(tmp_path, ENV) as service:
            headers, _ = _tenant(service.url)
            first = requests.post(f"{service.url}/api/v1/admin/snapshots", headers=ADMIN, timeout=30)
            assert first.status_code == 201
            for i in range(12):  # incompressible text, so the gzip files outgrow the disk
                text = base64.b64encode(os.urandom(45000)).decode()
                requests.post(f"{service.url}/api/v1/messages", json=message("in", f"big{i}", text=text),
                              headers=headers, timeout=10)
            full = requests.post(f"{service.url}/api/v1/admin/snapshots", headers=ADMIN, timeout=30)
            assert full.status_code == 507 and full.headers["Content-Type"] == "application/problem+json"
            metrics = requests.get(f"{service.url}/metrics", timeout=5).text
            assert re.search(r'chatkeep_snapshots_total\{(?=[^}]*outcome="failed")(?=[^}]*trigger="manual")[^}]*\} 1\.0',
                             metrics), "the failed snapshot is counted"
            names = sorted(p.name for p in snapshots_dir.iterdir() if not p.name.startswith("."))
            assert names == [first.json()["generation"]]
    finally:
        subprocess.run(["umount", "-l", str(snapshots_dir)], capture_output=True)


def test_a_snapshot_longer_than_the_request_wait_answers_202_and_finishes_on_its_own(tmp_path):
    with Service(tmp_path, {**ENV, "SNAPSHOT_REQUEST_WAIT_S": "0"}) as service:
        _tenant(service.url)
        running = requests.post(f"{service.url}/api/v1/admin/snapshots", headers=ADMIN, timeout=30)
        assert running.status_code == 202, running.text
        body = running.json()
        assert body["status"] == "running" and body["trigger"] == "manual"
        listing = f"{service.url}{running.headers['Location']}"

        def finished():
            items = requests.get(listing, headers=ADMIN, timeout=10).json()["items"]
            return [m for m in items if m["created_at"] >= body["started_at"]]

        written = wait_until(finished, timeout_s=60)
        assert len(written) == 1 and written[0]["trigger"] == "manual"
        assert written[0]["files"]["tenants.jsonl.gz"]["records"] == 1
