"""One run on growing data: query latency, start-up and snapshots at 1x, then at 10x.

The same DATA_DIR is grown in place, so each ratio compares one service before and
after its data grew tenfold, within one run.
"""
from pathlib import Path

from bench import procs, query_scaling, snapshot, startup
from bench.dataset import Dataset
from bench.settings import Profile
from bench.stats import ratio


def _at_size(service, data: Dataset, data_dir: Path, snapshots: bool, mongodb_uri, notes: list) -> dict:
    figures = query_scaling.latencies(service.url, data)
    if snapshots:
        try:  # a snapshot feature still in the making must not cost the other figures
            figures["snapshot"] = snapshot.take_with_cli(data_dir, mongodb_uri)
        except (RuntimeError, OSError) as exc:
            notes.append(f"snapshot at {data.messages} messages failed: {exc}")
    return figures


def measure(profile: Profile, workdir: Path, run_tag: str, snapshots: bool, mongodb_uri=None) -> dict:
    data_dir = workdir / "scaling"
    data = Dataset(profile, run_tag)
    sizes, notes = {}, []
    with procs.chatkeep(data_dir, mongodb_uri) as service:
        data.load_1x(service.url)
        sizes["1x"] = _at_size(service, data, data_dir, snapshots, mongodb_uri, notes)
    sizes["1x"]["ready_s"] = startup.time_to_ready(data_dir, profile.startup_reps, mongodb_uri)
    during = None
    with procs.chatkeep(data_dir, mongodb_uri) as service:
        data.grow_to_10x(service.url)
        sizes["10x"] = _at_size(service, data, data_dir, snapshots, mongodb_uri, notes)
        if snapshots:
            try:
                during = snapshot.webhook_p99_ratio(service.url, data.measured, profile.snapshot_requests,
                                                    profile.concurrency, run_tag, profile.max_load_s,
                                                    data_dir, mongodb_uri)
            except (RuntimeError, OSError) as exc:
                notes.append(f"webhook latency during snapshots failed: {exc}")
    sizes["10x"]["ready_s"] = startup.time_to_ready(data_dir, profile.startup_reps, mongodb_uri)
    return {**_figures(sizes, during, data.messages), "notes": notes}


def _figures(sizes: dict, during: dict | None, messages_10x: int) -> dict:
    one, ten = sizes["1x"], sizes["10x"]
    snap_one, snap_ten = one.get("snapshot"), ten.get("snapshot")
    snap_one, snap_ten = (snap_one, snap_ten) if snap_one and snap_ten else (None, None)
    return {
        "query_scaling": {
            "conversation_messages_ratio": ratio(ten["conversation_messages_ms"], one["conversation_messages_ms"]),
            "conversation_list_ratio": ratio(ten["conversation_list_ms"], one["conversation_list_ms"]),
            "analytics_ratio": ratio(ten["analytics_ms"], one["analytics_ms"]),
            "analytics_ms_1x": one["analytics_ms"], "analytics_ms_10x": ten["analytics_ms"],
            "analytics_db_commands_per_read_1x": one["analytics_db_commands_per_read"],
            "analytics_db_commands_per_read_10x": ten["analytics_db_commands_per_read"],
            "analytics_db_commands_first_read_1x": one["analytics_db_commands_first_read"],
            "analytics_db_commands_first_read_10x": ten["analytics_db_commands_first_read"],
            "search_ratio": ratio(ten["search_ms"], one["search_ms"]),
            "search_rare_ratio": ratio(ten["search_rare_ms"], one["search_rare_ms"]),
            "conversation_messages_ms_1x": one["conversation_messages_ms"],
            "conversation_messages_ms_10x": ten["conversation_messages_ms"],
            "conversation_list_ms_1x": one["conversation_list_ms"],
            "conversation_list_ms_10x": ten["conversation_list_ms"],
            "search_ms_1x": one["search_ms"], "search_ms_10x": ten["search_ms"],
            "search_rare_ms_1x": one["search_rare_ms"], "search_rare_ms_10x": ten["search_rare_ms"],
            "search_db_commands_1x": one["search_db_commands"], "search_db_commands_10x": ten["search_db_commands"],
            "messages_10x": messages_10x,
        },
        "startup": {"ready_ratio": ratio(ten["ready_s"], one["ready_s"]),
                    "ready_s_1x": one["ready_s"], "ready_s_10x": ten["ready_s"]},
        "snapshot": {
            "peak_rss_ratio": ratio(snap_ten["peak_rss_kb"], snap_one["peak_rss_kb"]) if snap_one else None,
            "records_per_s": snap_ten["records_per_s"] if snap_ten else None,
            "latency_p99_ratio_during_snapshot": during["latency_p99_ratio_during_snapshot"] if during else None,
            "peak_rss_kb_1x": snap_one["peak_rss_kb"] if snap_one else None,
            "peak_rss_kb_10x": snap_ten["peak_rss_kb"] if snap_ten else None,
            "p99_quiet_ms": during["p99_quiet_ms"] if during else None,
            "p99_during_ms": during["p99_during_ms"] if during else None,
        },
    }
