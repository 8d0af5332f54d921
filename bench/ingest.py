"""Ingest: Evolution webhooks through gunicorn, CPU per event against a Flask floor.

One run starts a fresh service, sends only messages.upsert (inbound, unique ids, several
customers), then only messages.update (READ for those messages), and reads the database
command counter around each phase. The floor app then receives the same bodies with the
same concurrency, so cpu_ratio_vs_floor compares like with like on the same machine state.
"""
from pathlib import Path

from bench import api, loadgen, payloads, procs
from bench.settings import Profile
from bench.stats import ratio

WARMUP = 20  # per phase: first requests build indexes and import lazily; not what we measure


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


def _load(service: procs.Gunicorn, meter: procs.CpuMeter, phase: list, profile: Profile) -> dict:
    """One timed phase: wall time and CPU deltas of the service (and its database)."""
    before = meter.read()
    result = loadgen.run(service.url, phase, profile.concurrency, profile.max_load_s)
    after = meter.read()
    return {"ok": result["statuses"].get("200", 0), "statuses": result["statuses"],
            "elapsed_s": result["elapsed_s"], "app_cpu_s": after["app"] - before["app"],
            "db_cpu_s": None if before["db"] is None else after["db"] - before["db"]}


def _chatkeep_phases(profile: Profile, workdir: Path, run_tag: str, mongodb_uri, env: dict) -> dict:
    with procs.chatkeep(workdir / "chatkeep", mongodb_uri, env) as service:
        tenant = api.create_tenant(service.url, f"bench-{run_tag}")
        phases = _requests(profile, api.webhook_path(tenant), run_tag)
        loadgen.run(service.url, phases["warmup"], profile.concurrency, profile.max_load_s)
        meter = procs.CpuMeter(service)
        measured = {}
        for name in ("upserts", "updates"):
            # /metrics is read outside the CPU window: rendering it is not ingest work.
            commands_before = api.db_commands(service.url)
            background_before = api.db_commands(service.url, "background")
            measured[name] = _load(service, meter, phases[name], profile)
            measured[name]["commands"] = api.delta(commands_before, api.db_commands(service.url))
            # Time-driven work (the tenant change watcher, scheduler jobs), reported apart.
            measured[name]["background_commands"] = api.delta(background_before,
                                                              api.db_commands(service.url, "background"))
    return {"phases": measured, "bodies": [r[2] for r in phases["upserts"] + phases["updates"]]}


def _floor(profile: Profile, workdir: Path, bodies: list) -> dict:
    with procs.floor(workdir / "floor") as service:
        requests = [loadgen.request("POST", "/", body, loadgen.JSON) for body in bodies]
        loadgen.run(service.url, requests[:2 * WARMUP], profile.concurrency, profile.max_load_s)
        return _load(service, procs.CpuMeter(service), requests, profile)


def measure(profile: Profile, workdir: Path, run_tag: str, mongodb_uri=None, kafka: str | None = None) -> dict:
    """One ingest run; returns the ingest.* figures of this run and its raw counts.
    `kafka`: a broker's bootstrap address, so events are published while it runs."""
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka} if kafka else {}
    chatkeep = _chatkeep_phases(profile, workdir, run_tag, mongodb_uri, env)
    up, st = chatkeep["phases"]["upserts"], chatkeep["phases"]["updates"]
    floor = _floor(profile, workdir, chatkeep["bodies"])
    events = up["ok"] + st["ok"]
    app_cpu_us = ratio((up["app_cpu_s"] + st["app_cpu_s"]) * 1e6, events)
    floor_cpu_us = ratio(floor["app_cpu_s"] * 1e6, floor["ok"])
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
        "detail": {"upserts": up, "updates": st, "floor": floor},
    }
