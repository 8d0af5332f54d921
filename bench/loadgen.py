"""The load generator: a separate process sending prepared requests over loopback.

`run(url, requests, concurrency)` writes the requests to a file and runs
`python -m bench.loadgen SPEC` in a child process, so the generator's CPU is never
counted as the service's. Inside, `concurrency` threads each hold one http.client
connection (re-opened when gunicorn's sync workers close it) and take the next request
in order; the run stops after the last request or at `max_seconds`, whichever is first.
"""
import http.client
import itertools
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
JSON = {"Content-Type": "application/json"}


def request(method: str, path: str, body=None, headers: dict | None = None) -> list:
    """One prepared request; a dict body is sent as compact JSON."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body, separators=(",", ":"))
        headers = {**JSON, **(headers or {})}
    return [method, path, body, headers or {}]


def run(url: str, requests: list, concurrency: int, max_seconds: float) -> dict:
    """Send `requests` from a child process; returns statuses, latencies_ms (in order), elapsed_s."""
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        spec = Path(tmp) / "spec.json"
        spec.write_text(json.dumps({"url": url, "concurrency": concurrency, "max_seconds": max_seconds,
                                    "requests": requests}))
        done = subprocess.run([sys.executable, "-m", "bench.loadgen", str(spec)], cwd=ROOT,
                              capture_output=True, text=True, timeout=max_seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def _send_all(host: str, port: int, prepared: list, concurrency: int, max_seconds: float) -> tuple:
    results = [None] * len(prepared)
    order = itertools.count()  # next() on a count is atomic under the GIL
    deadline = time.monotonic() + max_seconds

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=60)
        for i in order:
            if i >= len(prepared) or time.monotonic() > deadline:
                break
            method, path, body, headers = prepared[i]
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            results[i] = (status, (time.perf_counter() - started) * 1000)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(max(1, concurrency))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    target = urlsplit(spec["url"])
    if target.hostname != "127.0.0.1":
        raise SystemExit("the load generator only talks to 127.0.0.1")
    # Bodies are encoded before the clock starts: the generator should cost little while timed.
    prepared = [(m, p, b.encode() if isinstance(b, str) else b, h) for m, p, b, h in spec["requests"]]
    results, elapsed = _send_all(target.hostname, target.port, prepared, spec["concurrency"],
                                 spec["max_seconds"])
    statuses: dict[str, int] = {}
    for result in results:
        key = str(result[0]) if result else "not_sent"
        statuses[key] = statuses.get(key, 0) + 1
    json.dump({"elapsed_s": elapsed, "statuses": statuses,
               "latencies_ms": [r[1] if r else None for r in results],
               "codes": [r[0] if r else None for r in results]}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
