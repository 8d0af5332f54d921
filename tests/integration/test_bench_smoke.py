"""The benchmark harness runs end to end and writes every key (no timed assertions)."""
import json
import os
import subprocess
import sys

import pytest

from tests.integration.processes import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.soak]  # ~2.5 min: runs with `make bench`, not `make test`

REQUIRED = {
    "ingest": ("events", "events_per_s", "app_cpu_us_per_event", "db_cpu_us_per_event",
               "floor_cpu_us_per_request", "cpu_ratio_vs_floor", "db_commands_per_inbound_message",
               "db_commands_per_status_update"),
    "query_scaling": ("conversation_messages_ratio", "conversation_list_ratio", "analytics_ratio", "search_ratio",
                      "search_rare_ratio"),
    "startup": ("ready_ratio",),
    "snapshot": ("peak_rss_ratio", "records_per_s", "latency_p99_ratio_during_snapshot"),
    "events": ("publish_ratio", "feed_page_ratio", "webhook_latency_p50_s", "webhook_latency_p99_s",
               "kafka_latency_p50_s", "kafka_latency_p99_s"),
    "idle": ("db_commands_per_s_1000_tenants",),
    "delivery": ("healthy_p99_s_with_tarpit",),
    "export": ("peak_rss_ratio", "peak_rss_kb_1x", "peak_rss_kb_10x", "messages_10x", "bytes_10x"),
}


def _assert_snapshot_figures_plausible(results):
    """Every snapshot figure measured (no failure noted), positive, and each ratio the
    quotient of the two raw figures reported beside it (one run: the medians are those
    figures). Plausibility only: no figure is compared with a time or a target."""
    snapshot = results["snapshot"]
    assert not [note for note in results["meta"]["notes"] if note.startswith(("snapshot", "webhook latency"))]
    for key in ("peak_rss_ratio", "records_per_s", "latency_p99_ratio_during_snapshot",
                "peak_rss_kb_1x", "peak_rss_kb_10x", "p99_quiet_ms", "p99_during_ms"):
        assert isinstance(snapshot[key], (int, float)) and snapshot[key] > 0, f"snapshot.{key} = {snapshot[key]!r}"
    assert snapshot["peak_rss_ratio"] == pytest.approx(snapshot["peak_rss_kb_10x"] / snapshot["peak_rss_kb_1x"])
    assert snapshot["latency_p99_ratio_during_snapshot"] == pytest.approx(
        snapshot["p99_during_ms"] / snapshot["p99_quiet_ms"])


def test_smoke_run_writes_every_key_and_the_doc_tables(tmp_path):
    output, doc = tmp_path / "latest.json", tmp_path / "PERFORMANCE.md"
    env = {k: v for k, v in os.environ.items() if k not in ("BENCH_QUICK", "MONGODB_URI")}
    done = subprocess.run([sys.executable, "-m", "bench.run", "--output", str(output), "--doc", str(doc)],
                          cwd=ROOT, env={**env, "BENCH_SMOKE": "1"}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(output.read_text())

    for section, keys in REQUIRED.items():
        for key in keys:
            assert key in results[section], f"{section}.{key} missing"
            if section != "snapshot":
                assert results[section][key] is not None, f"{section}.{key} is null"
    assert results["ingest"]["events"] > 0
    assert results["meta"]["mode"] == "smoke" and results["meta"]["runs"] == 1
    for fact in ("nproc", "memory_gib", "cpu_model", "python", "versions"):
        assert results["meta"]["machine"][fact] is not None
    assert results["meta"]["snapshot_available"]
    _assert_snapshot_figures_plausible(results)
    text = doc.read_text()
    assert "<!-- bench:begin" in text and "<!-- bench:end -->" in text and "## Findings" in text
    for key in ("ingest.cpu_ratio_vs_floor", "startup.ready_ratio", "snapshot.peak_rss_ratio", "events.publish_ratio"):
        assert f"`{key}`" in text
