"""Read latency of one tenant's pages, at 1x and at 10x data (see bench/dataset.py).

One connection, one request at a time: the figure is the service's time to answer,
not queueing. The first requests of each series warm caches and are dropped.

Analytics are read in the steady state they are built for (services.analytics.rollups):
after the load's writes have passed the settle window, so the first read computes the
days and the ones measured reuse them, as a dashboard refreshed while nothing changes.
"""
import time

from bench import api, loadgen, payloads
from bench.dataset import Dataset
from bench.stats import median

DROPPED = 5
SETTLE_S = 5.0  # > the service's settle window (DB_TIMEOUT_MS + EVENTS_CLOCK_SKEW_MS: 4 s by default)
ANALYTICS = "/api/v1/analytics/delivery"  # the last 30 days of the tenant
SEARCH_RARE = 11  # "(#11)" ends the 1x message number 11, one of those asking about "prazo de entrega"


def _series(url: str, path: str, headers: dict, reps: int, max_s: float) -> float | None:
    requests = [loadgen.request("GET", path, None, headers) for _ in range(reps + DROPPED)]
    result = loadgen.run(url, requests, 1, max_s)
    answered = [ms for ms, code in zip(result["latencies_ms"], result["codes"]) if code == 200]
    if len(answered) < len(requests):
        raise RuntimeError(f"GET {path}: {result['statuses']}")
    return median(answered[DROPPED:])


def latencies(url: str, data: Dataset) -> dict:
    """Median ms of the measured conversation's message page, the conversation list, a
    search page and the delivery analytics."""
    headers = api.auth(data.measured)
    own = payloads.OWN_NUMBER
    reps, max_s = data.profile.query_reps, data.profile.max_load_s
    return {
        "conversation_messages_ms": _series(
            url, f"/api/v1/conversations/{data.target_customer}/{own}/messages?limit=50", headers, reps, max_s),
        "conversation_list_ms": _series(url, "/api/v1/conversations?limit=50", headers, reps, max_s),
        # A full page of a common pair of words (every fifth message has both), and a page
        # with one message: a word of one 1x message beside a common word.
        "search_ms": _series(url, "/api/v1/messages/search?q=prazo+entreg*&limit=50", headers, reps, max_s),
        "search_rare_ms": _series(url, f"/api/v1/messages/search?q=prazo+{SEARCH_RARE}&limit=50", headers, reps,
                                  max_s),
        "search_db_commands": _commands(url, "/api/v1/messages/search?q=prazo+entreg*&limit=50", headers),
        **_analytics(url, headers, reps, max_s),
    }


def _analytics(url: str, headers: dict, reps: int, max_s: float) -> dict:
    """Median ms of the delivery analytics, the database commands of one such read, and
    those of the first read after the load (which computes the days: it grows with them)."""
    time.sleep(SETTLE_S)
    first = _commands(url, ANALYTICS, headers)
    before = api.db_commands(url)
    ms = _series(url, ANALYTICS, headers, reps, max_s)
    commands = sum(api.delta(before, api.db_commands(url)).values())
    return {"analytics_ms": ms, "analytics_db_commands_per_read": round(commands / (reps + DROPPED), 2),
            "analytics_db_commands_first_read": first}


def _commands(url: str, path: str, headers: dict) -> float:
    """Database commands one request costs (a count: no noise from the machine)."""
    before = api.db_commands(url)
    loadgen.run(url, [loadgen.request("GET", path, None, headers)], 1, 30)
    return sum(api.delta(before, api.db_commands(url)).values())
