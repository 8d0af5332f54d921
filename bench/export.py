"""Export memory: peak RSS of the worker that streams one tenant's messages, at N and at 10N.

The tenant's messages are loaded (batched Evolution upserts, as bench/dataset.py does),
then a fresh service with one worker streams `GET /api/v1/messages/export?format=jsonl`
to a client that reads and drops it, while the worker's VmHWM is sampled every 10 ms;
then 9N more messages are loaded and the same is measured again. A fresh worker each
time, so its peak is the export's (plus start-up), never what earlier requests left.
`export.peak_rss_ratio` is the peak at 10N over the peak at N: flat memory gives ~1.
"""
import http.client
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench import api, procs
from bench.dataset import Dataset
from bench.settings import Profile
from bench.stats import ratio

QUIET = {"SNAPSHOT_ON_SHUTDOWN": "false"}  # no final snapshot between the phases


def _stream(url: str, tenant: dict) -> tuple[int, int, float]:
    """(HTTP status, bytes, seconds) of one export read to its end and dropped."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    started = time.monotonic()
    connection.request("GET", "/api/v1/messages/export?format=jsonl", headers=api.auth(tenant))
    response = connection.getresponse()
    size = 0
    while chunk := response.read(64 * 1024):
        size += len(chunk)
    connection.close()
    return response.status, size, time.monotonic() - started


def _export_peak(data_dir: Path, mongodb_uri, tenant: dict) -> dict:
    with procs.chatkeep(data_dir, mongodb_uri, {**QUIET, "WEB_CONCURRENCY": "1"}) as service:
        database = procs.database_pid(data_dir)
        worker = next(p for p in procs.children(service.proc.pid) if p != database)
        before, peak, done = procs.peak_rss_kb(worker), [0], threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], procs.peak_rss_kb(worker))
                time.sleep(0.01)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            status, size, seconds = _stream(service.url, tenant)
        finally:
            done.set()
            sampler.join()
        if status != 200:
            raise RuntimeError(f"export answered {status}")
        return {"peak_rss_kb": max(peak[0], procs.peak_rss_kb(worker)), "before_kb": before, "bytes": size, "s": seconds}


def measure(profile: Profile, workdir: Path, run_tag: str, mongodb_uri=None) -> dict:
    data_dir = workdir / "export"
    data = Dataset(profile, f"{run_tag}x")
    n = 2 * profile.unit
    with procs.chatkeep(data_dir, mongodb_uri, QUIET) as service:
        tenant = api.create_tenant(service.url, f"export-{run_tag}")
        data._send(service.url, tenant, [k % 50 for k in range(n)])
    one = _export_peak(data_dir, mongodb_uri, tenant)
    with procs.chatkeep(data_dir, mongodb_uri, QUIET) as service:
        data._send(service.url, tenant, [k % 50 for k in range(9 * n)])
    ten = _export_peak(data_dir, mongodb_uri, tenant)
    return {
        "peak_rss_ratio": ratio(ten["peak_rss_kb"], one["peak_rss_kb"]),
        "peak_rss_kb_1x": one["peak_rss_kb"], "peak_rss_kb_10x": ten["peak_rss_kb"],
        "growth_kb_1x": one["peak_rss_kb"] - one["before_kb"], "growth_kb_10x": ten["peak_rss_kb"] - ten["before_kb"],
        "messages_1x": n, "messages_10x": 10 * n, "bytes_10x": ten["bytes"],
        "messages_per_s_10x": 10 * n / ten["s"] if ten["s"] else None,
    }
