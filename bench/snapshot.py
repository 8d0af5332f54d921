"""Snapshots: peak memory of the snapshot process at 1x and 10x, and webhook p99 while one runs.

Uses `flask --app app snapshot take` (as the scheduler does). Where a checkout
has no snapshot command yet (`flask --app app snapshot --help` fails) every figure here
is None and the report says "not measured"; nothing else in the bench depends on it.
"""
import json
import os
import subprocess
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

from bench import api, loadgen, payloads, procs
from bench.stats import percentile, ratio

NOT_AVAILABLE = "not available yet: `flask --app app snapshot --help` fails"


def _flask_env(data_dir: Path, mongodb_uri=None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in procs.SCRUBBED_ENV}
    env.update(DATA_DIR=str(data_dir), PATH=f"{procs.BIN}:{os.environ.get('PATH', '')}")
    if mongodb_uri:
        env["MONGODB_URI"] = mongodb_uri
    return env


def available() -> bool:
    # An unreachable MONGODB_URI: loading the app for --help must not start a database.
    with tempfile.TemporaryDirectory(prefix="bench-snapcheck-") as tmp:
        env = _flask_env(Path(tmp), "mongodb://127.0.0.1:9/bench_check?serverSelectionTimeoutMS=100")
        done = subprocess.run([str(procs.BIN / "flask"), "--app", "app", "snapshot", "--help"], cwd=procs.ROOT,
                              env=env, capture_output=True, timeout=120)
    return done.returncode == 0


def _own_peak_rss_kb(proc: subprocess.Popen) -> int:
    """The child's own peak RSS: VmHWM from /proc/<pid>/status, read until it exits.

    Not wait4's ru_maxrss: Linux carries the parent's peak into a child across fork and
    exec, so once the bench process itself had grown to 100 MB every snapshot child
    reported at least that (measured: a 13 MB child of a 300 MB parent reports 321 MB).
    """
    peak = 0
    while proc.poll() is None:
        peak = max(peak, procs.peak_rss_kb(proc.pid))
        time.sleep(0.01)
    return peak


def take_with_cli(data_dir: Path, mongodb_uri=None) -> dict:
    """Run `flask --app app snapshot take` against the running service's database.

    The rate uses the manifest's own start and end, so the CLI's start-up is not in it.
    """
    started = time.monotonic()
    proc = subprocess.Popen([str(procs.BIN / "flask"), "--app", "app", "snapshot", "take", "--json"],
                            cwd=procs.ROOT, env=_flask_env(data_dir, mongodb_uri), stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    peak_rss_kb = _own_peak_rss_kb(proc)  # its output is one manifest line: the pipe cannot fill
    wall_s, output = time.monotonic() - started, proc.stdout.read()
    proc.stdout.close()
    try:
        manifest = json.loads(output)
    except ValueError:
        manifest = None
    if proc.returncode != 0 or not manifest:
        raise RuntimeError(f"snapshot take exited {proc.returncode}: {output[-300:]!r}")
    records = sum(f["records"] for f in manifest["files"].values())
    done, begun = (datetime.fromisoformat(manifest[k]) for k in ("completed_at", "created_at"))
    seconds = (done - begun).total_seconds() or wall_s
    return {"peak_rss_kb": peak_rss_kb, "records": records, "seconds": seconds, "wall_s": wall_s,
            "records_per_s": ratio(records, seconds)}


def _scheduled_snapshot(data_dir: Path, mongodb_uri) -> tuple[list, dict]:
    """The command and environment of a snapshot taken the way the scheduler takes it: its
    child process (services.operations.snapshot_child, at idle CPU priority from its
    first line) on the service's database. (A `flask snapshot take` loop also measured the
    CLI loading the whole web app at normal priority, once per snapshot; POST
    /api/v1/admin/snapshots in a loop, a web worker kept waiting.)"""
    from services.operations import embedded_db, snapshot_child

    env = {**_flask_env(data_dir, mongodb_uri), "PYTHONPATH": str(procs.ROOT),
           snapshot_child.CHILD_URI_ENV: mongodb_uri or embedded_db.ensure_running(str(data_dir))}
    return snapshot_child.child_command("scheduled", data_dir, keep=3, timeout_ms=5000), env


def _snapshot_loop(snapshot: tuple[list, dict], stop: threading.Event, answers: dict) -> None:
    """Take snapshots back to back until stopped, so one is always running (the first
    one whatever happens: a short load may be over before it starts)."""
    command, env = snapshot
    while True:
        done = subprocess.run(command, cwd=procs.ROOT, env=env, capture_output=True, timeout=300)
        code = 201 if done.returncode == 0 else 500
        answers[code] = answers.get(code, 0) + 1
        if stop.is_set():
            return


def webhook_p99_ratio(url: str, tenant: dict, count: int, concurrency: int, run_tag: str, max_s: float,
                      data_dir: Path, mongodb_uri=None) -> dict:
    """p99 of upsert webhooks while snapshots run, over p99 of the same load without."""
    path = api.webhook_path(tenant)

    def phase(tag):
        return [loadgen.request("POST", path, payloads.upsert(payloads.message_key(f"{run_tag}{tag}", n),
                                                              payloads.customer(n % 20), n)) for n in range(count)]

    quiet = loadgen.run(url, phase("Q"), concurrency, max_s)
    stop, answers = threading.Event(), {}
    snapshot = _scheduled_snapshot(data_dir, mongodb_uri)
    looper = threading.Thread(target=_snapshot_loop, args=(snapshot, stop, answers))
    looper.start()
    try:
        busy = loadgen.run(url, phase("S"), concurrency, max_s)
    finally:
        stop.set()
        looper.join()
    accepted = sum(n for code, n in answers.items() if 200 <= code < 300)
    p99_quiet, p99_busy = percentile(quiet["latencies_ms"], 99), percentile(busy["latencies_ms"], 99)
    return {"p99_quiet_ms": p99_quiet, "p99_during_ms": p99_busy, "snapshot_answers": answers,
            "latency_p99_ratio_during_snapshot": ratio(p99_busy, p99_quiet) if accepted else None}
