"""Ingest: Evolution webhooks through gunicorn, CPU per event against a Flask floor.

One run starts a fresh service and the floor app side by side, sends only
messages.upsert (inbound, unique ids, several customers), then only messages.update
(READ for those messages), and reads the database command counter around each phase.
Each phase goes in SLICES turns: a slice to ChatKeep, then the same bodies to the floor
with the same concurrency. The machine's speed drifts by 10-20 % within a minute here;
taking turns puts both under the same drift, so cpu_ratio_vs_floor compares like with
like. ChatKeep's CPU is counted over the whole phase, the floor's turns included: the
work it does after answering (publishing to Kafka) is ingest work too.
"""
from pathlib import Path

from bench import api, loadgen, payloads, procs
from bench.settings import Profile
from bench.stats import ratio

WARMUP = 20  # per phase: first requests build indexes and import lazily; not what we measure
SLICES = 4


def _requests(profile: Profile, path: str, run_tag: str) -> dict:
    def upserts(first, count):
        return [loadgen.request("POST", path, payloads.upsert(payloads.message_key(run_tag, n),
                                                              payloads.customer(n % profile.customers), n))
                for n in range(first, first + count)]

    def updates(first, count):
        return [loadgen.request("POST", path, payloads.read_status(payloads.message_key(run_tag, n),
                                                                   payloads.customer(n % profile.customers)))
                for n in range(first, first + count)]

    # Warm-up messages have their own ids, after the measured ones.
    return {"warmup": upserts(profile.upserts, WARMUP) + updates(profile.upserts, WARMUP),
            "upserts": upserts(0, profile.upserts), "updates": updates(0, profile.updates)}


def _to_floor(requests: list) -> list:
    """The same bodies, to the floor's one route."""
    return [loadgen.request("POST", "/", body, loadgen.JSON) for _method, _path, body, _headers in requests]


def _phase(chatkeep: procs.Gunicorn, floor: procs.Gunicorn, requests: list, profile: Profile) -> dict:
    """One phase in turns; the counts, wall time and CPU deltas of ChatKeep (and its
    database), and the floor's CPU for the same bodies."""
    meters = procs.CpuMeter(chatkeep), procs.CpuMeter(floor)
    # /metrics is read outside the CPU window: rendering it is not ingest work.
    commands_before = api.db_commands(chatkeep.url)
    background_before = api.db_commands(chatkeep.url, "background")
    before = meters[0].read()
    measured = {"ok": 0, "statuses": {}, "elapsed_s": 0.0, "floor_ok": 0, "floor_cpu_s": 0.0}
    size = -(-len(requests) // SLICES)
    for first in range(0, len(requests), size):
        turn = requests[first:first + size]
        result = loadgen.run(chatkeep.url, turn, profile.concurrency, profile.max_load_s)
        measured["ok"] += result["statuses"].get("200", 0)
        measured["elapsed_s"] += result["elapsed_s"]
        for status, count in result["statuses"].items():
            measured["statuses"][status] = measured["statuses"].get(status, 0) + count
        floor_before = meters[1].read()["app"]
        floor_result = loadgen.run(floor.url, _to_floor(turn), profile.concurrency, profile.max_load_s)
        measured["floor_cpu_s"] += meters[1].read()["app"] - floor_before
        measured["floor_ok"] += floor_result["statuses"].get("200", 0)
    after = meters[0].read()
    measured.update(app_cpu_s=after["app"] - before["app"],
                    db_cpu_s=None if before["db"] is None else after["db"] - before["db"],
                    commands=api.delta(commands_before, api.db_commands(chatkeep.url)),
                    # Time-driven work (the tenant change watcher, scheduler jobs), reported apart.
                    background_commands=api.delta(background_before,
                                                  api.db_commands(chatkeep.url, "background")))
    return measured


def measure(profile: Profile, workdir: Path, run_tag: str, mongodb_uri=None, kafka: str | None = None) -> dict:
    """One ingest run; returns the ingest.* figures of this run and its raw counts.
    `kafka`: a broker's bootstrap address, so events are published while it runs."""
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka} if kafka else {}
    with procs.chatkeep(workdir / "chatkeep", mongodb_uri, env) as chatkeep, procs.floor(workdir / "floor") as floor:
        tenant = api.create_tenant(chatkeep.url, f"bench-{run_tag}")
        phases = _requests(profile, api.webhook_path(tenant), run_tag)
        loadgen.run(chatkeep.url, phases["warmup"], profile.concurrency, profile.max_load_s)
        loadgen.run(floor.url, _to_floor(phases["warmup"]), profile.concurrency, profile.max_load_s)
        up = _phase(chatkeep, floor, phases["upserts"], profile)
        st = _phase(chatkeep, floor, phases["updates"], profile)
    events = up["ok"] + st["ok"]
    app_cpu_us = ratio((up["app_cpu_s"] + st["app_cpu_s"]) * 1e6, events)
    floor_cpu_us = ratio((up["floor_cpu_s"] + st["floor_cpu_s"]) * 1e6, up["floor_ok"] + st["floor_ok"])
    db_cpu = None if up["db_cpu_s"] is None else (up["db_cpu_s"] + st["db_cpu_s"]) * 1e6
    return {
        "events": events,
        "events_per_s": ratio(events, up["elapsed_s"] + st["elapsed_s"]),
        "app_cpu_us_per_event": app_cpu_us,
        "db_cpu_us_per_event": ratio(db_cpu, events),
        "floor_cpu_us_per_request": floor_cpu_us,
        "cpu_ratio_vs_floor": ratio(app_cpu_us, floor_cpu_us),
        "db_commands_per_inbound_message": ratio(sum(up["commands"].values()), up["ok"]),
        "db_commands_per_status_update": ratio(sum(st["commands"].values()), st["ok"]),
        "background_db_commands": sum(up["background_commands"].values()) + sum(st["background_commands"].values()),
        "detail": {"upserts": up, "updates": st},
    }
