"""Snapshot child processes leave no Prometheus files behind; their parent counts them."""
import time

import pytest
from prometheus_client import REGISTRY

from services.operations import snapshot_child, snapshots


def _count(trigger: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("chatkeep_snapshots_total", {"trigger": trigger, "outcome": outcome}) or 0.0


def test_child_snapshots_leave_the_metrics_directory_as_it_was(app, tmp_path, monkeypatch):
    """Three snapshots and a failed one in child processes: the multiprocess directory
    (as gunicorn.conf.py sets it) holds the same files after as before, and the parent
    counts each outcome and the time of the last success."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"")  # a worker's own file: stays
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
    ok_before, failed_before, began = _count("manual", "ok"), _count("manual", "failed"), time.time()
    with app.app_context():
        for _ in range(3):
            snapshot_child.take_snapshot_in_child("manual", app.config, timeout_s=60)
        not_a_directory = tmp_path / "a-file"
        not_a_directory.write_text("")
        with pytest.raises(snapshots.SnapshotError):
            snapshot_child.take_snapshot_in_child("manual", {**app.config, "DATA_DIR": str(not_a_directory)},
                                                  timeout_s=60)
    assert sorted(p.name for p in metrics_dir.iterdir()) == ["counter_1.db"]
    assert len(snapshots.generations(app.config["DATA_DIR"])) == 3
    assert _count("manual", "ok") == ok_before + 3
    assert _count("manual", "failed") == failed_before + 1
    assert REGISTRY.get_sample_value("chatkeep_snapshot_last_success_timestamp_seconds") >= began
