"""How much work each mode does. BENCH_SMOKE (tests) < BENCH_QUICK < full.

Sizes are counts, never durations: every phase is bounded by its request count, and the
load generator also stops at `max_load_s` so a stalled service cannot hang the run.
"""
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    mode: str
    runs: int                # independent repetitions; every figure is their median
    upserts: int             # messages.upsert webhooks per ingest run
    updates: int             # messages.update webhooks per ingest run (for earlier upserts)
    customers: int           # distinct senders in the ingest traffic
    concurrency: int         # connections held open by the load generator
    unit: int                # messages of the measured tenant at 1x (10x adds 9 * unit)
    conversations: int       # conversations of the measured tenant at 1x (>= 50: full pages)
    target_messages: int     # messages in the measured conversation (>= 50: full pages)
    query_reps: int          # repetitions of each timed GET
    startup_reps: int        # starts timed at each data size
    snapshot_requests: int   # webhooks timed with and without a snapshot running
    max_load_s: float = 300.0


PROFILES = {
    "smoke": Profile("smoke", runs=1, upserts=40, updates=20, customers=5, concurrency=2, unit=120,
                     conversations=50, target_messages=55, query_reps=10, startup_reps=1,
                     snapshot_requests=20, max_load_s=30.0),
    "quick": Profile("quick", runs=3, upserts=800, updates=400, customers=40, concurrency=4, unit=1000,
                     conversations=60, target_messages=100, query_reps=150, startup_reps=3,
                     snapshot_requests=300),
    "full": Profile("full", runs=5, upserts=3000, updates=1500, customers=200, concurrency=4, unit=3000,
                    conversations=150, target_messages=200, query_reps=400, startup_reps=5,
                    snapshot_requests=1000),
}


def profile_from_env() -> Profile:
    if os.environ.get("BENCH_SMOKE"):
        return PROFILES["smoke"]
    if os.environ.get("BENCH_QUICK"):
        return PROFILES["quick"]
    return PROFILES["full"]
