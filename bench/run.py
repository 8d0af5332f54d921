"""`make bench`: run every measurement `runs` times, write latest.json and the doc tables.

    python -m bench.run [--output PATH] [--doc PATH | --no-doc]

BENCH_QUICK=1 or BENCH_SMOKE=1 pick a smaller profile (bench/settings.py). Each run gets
fresh temporary DATA_DIRs; the run's figures are ratios taken within that run, and the
reported figure is the median over runs.
"""
import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from bench import events, export, ingest, machine, report, scaling_run, snapshot, webhooks
from bench.settings import profile_from_env
from bench.stats import median

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("ingest", "query_scaling", "startup", "snapshot", "events", "idle", "delivery", "export")


def _database_uri(run_tag: str, purpose: str) -> str | None:
    """With MONGODB_URI set, a database of its own per run and purpose; else the embedded one."""
    uri = os.environ.get("MONGODB_URI")
    if not uri:
        return None
    return urlsplit(uri)._replace(path=f"/chatkeep_bench_{run_tag}_{purpose}").geturl()


def _drop(uri: str | None) -> None:
    if uri:
        from pymongo import MongoClient
        from pymongo.uri_parser import parse_uri

        with MongoClient(uri) as client:
            client.drop_database(parse_uri(uri)["database"])


def _one_run(profile, index: int, snapshots: bool) -> dict:
    tag = f"{index}{secrets.token_hex(3)}"
    uris = {purpose: _database_uri(tag, purpose) for purpose in ("ingest", "scaling", "events", "push", "idle",
                                                                 "tarpit", "export")}
    broker, bootstrap = events.start_broker()  # events go to Kafka while ingest is measured
    with tempfile.TemporaryDirectory(prefix="chatkeep-bench-") as tmp:
        try:
            figures = {"ingest": ingest.measure(profile, Path(tmp), tag, uris["ingest"], bootstrap)}
            figures.update(scaling_run.measure(profile, Path(tmp), tag, snapshots, uris["scaling"]))
            measured = events.measure(profile, Path(tmp), tag, uris["events"], bootstrap)
            figures["events"] = measured["events"]
            figures["events"].update(webhooks.push_latency(profile, Path(tmp), tag, uris["push"], bootstrap))
            figures["idle"] = webhooks.idle_commands(profile, Path(tmp), tag, uris["idle"])
            figures["delivery"] = webhooks.tarpit_latency(profile, Path(tmp), tag, uris["tarpit"])
            figures["notes"] = figures.get("notes", []) + measured["notes"]
            figures["export"] = export.measure(profile, Path(tmp), tag, uris["export"])
        finally:
            events.stop_broker(broker)
            for uri in uris.values():
                _drop(uri)
    return figures


def _summarise(runs: list[dict]) -> tuple[dict, dict]:
    """Medians per key, and every run's value (meta.samples)."""
    results, samples = {}, {}
    for section in SECTIONS:
        keys = [k for k in runs[0][section] if k != "detail"]
        results[section] = {k: median(run[section][k] for run in runs) for k in keys}
        samples.update({f"{section}.{k}": [run[section][k] for run in runs] for k in keys})
    return results, samples


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    parser.add_argument("--no-doc", action="store_true", help="write latest.json only")
    args = parser.parse_args(argv)
    profile = profile_from_env()
    started, started_at = time.monotonic(), datetime.now(timezone.utc)
    snapshots = snapshot.available()
    notes = [] if snapshots else [f"snapshot: {snapshot.NOT_AVAILABLE}"]
    runs = []
    for index in range(profile.runs):
        print(f"bench: {profile.mode} run {index + 1}/{profile.runs}", file=sys.stderr, flush=True)
        runs.append(_one_run(profile, index, snapshots))
        notes += runs[-1].pop("notes")
    results, samples = _summarise(runs)
    results["meta"] = {
        "mode": profile.mode, "runs": profile.runs, "profile": profile.__dict__,
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "duration_s": time.monotonic() - started, "machine": machine.facts(),
        "database": "MONGODB_URI (a database per run)" if os.environ.get("MONGODB_URI")
                    else "embedded nx-27017 (development default)",
        "snapshot_available": snapshots, "notes": notes, "samples": samples,
        "ingest_detail": [run["ingest"]["detail"] for run in runs],
        "idle_detail": [run["idle"]["detail"] for run in runs],
    }
    results["meta"]["targets"] = report.evaluate(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    if not args.no_doc:
        report.update_doc(args.doc, results)
    for key, verdict in results["meta"]["targets"].items():
        sign = ">=" if verdict.get("at_least") else "<="
        print(f"bench: {key} = {verdict['value']} ({sign} {verdict['target']}): {verdict['result']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
