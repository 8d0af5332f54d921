"""services.analytics without a database: histogram accuracy, the response-time rules,
and a day's figures being the same whichever run of days computes it."""
import math
import random
from datetime import date, timedelta

import pytest

from services.analytics import day_figures, histogram
from services.analytics.day_figures import LOOKBACK_MS, RESPONSE_WINDOW_MS, Run
from services.analytics.rollups import _consecutive

DAY_MS = 24 * 3600 * 1000
FIRST = date(2026, 11, 1)


@pytest.mark.parametrize("ms", [1, 2, 3, 999, 1000, 1001, 59_999, 3_600_000, 10 ** 10,
                                *[round(histogram.RATIO ** n) for n in range(0, 250, 7)]])
def test_every_duration_reads_back_within_5_percent(ms):
    h = {}
    histogram.add(h, ms)
    assert histogram.percentile_s(h, 0.5) == pytest.approx(ms / 1000, rel=0.05, abs=0.0005)


def test_zero_and_negative_durations_read_back_as_zero_and_empty_as_none():
    h = {}
    histogram.add(h, 0)
    histogram.add(h, -5)
    assert histogram.percentile_s(h, 0.9) == 0.0 and histogram.percentile_s({}, 0.5) is None


def test_merged_histograms_give_the_percentile_of_all_samples():
    rng = random.Random(7)
    values = [int(10 ** rng.uniform(0, 8)) for _ in range(2000)]
    parts = [{}, {}, {}]
    for n, value in enumerate(values):
        histogram.add(parts[n % 3], value)
    merged = {}
    for part in parts:
        histogram.merge(merged, part)
    for share in (0.5, 0.9, 0.99):
        exact = sorted(values)[math.ceil(share * len(values)) - 1] / 1000
        assert histogram.percentile_s(merged, share) == pytest.approx(exact, rel=0.05)


def test_runs_of_consecutive_days_are_at_most_a_week():
    days = [FIRST + timedelta(n) for n in range(9)] + [FIRST + timedelta(20)]
    assert _consecutive(days) == [(FIRST, FIRST + timedelta(6)), (FIRST + timedelta(7), FIRST + timedelta(8)),
                                  (FIRST + timedelta(20), FIRST + timedelta(20))]


def message(n: int, at: int, direction: str, conversation: str = "c1", session: str = "s1") -> dict:
    return {"_id": f"m{n:05d}", "created_at": at, "direction": direction, "conversation_id": conversation,
            "session_id": session, "status_times": {}}


def test_response_rules():
    run = Run(FIRST, FIRST + timedelta(19), "UTC")
    t0, minute = run.start_ms + 8 * 3600 * 1000, 60_000
    thread = [message(1, t0, "in"), message(2, t0 + minute, "in"), message(3, t0 + 5 * minute, "out"),  # 5 min
              message(4, t0 + 6 * minute, "out"),  # nobody waiting
              message(5, t0 + DAY_MS, "in"),  # unanswered for 8 days, then a message after 8 days of silence
              message(6, t0 + 9 * DAY_MS, "in"), message(7, t0 + 9 * DAY_MS + 2 * minute, "out"),  # 2 min
              message(8, t0 + 10 * DAY_MS, "in"), message(9, t0 + 17 * DAY_MS + 1, "out")]  # over 7 days
    days = day_figures.compute(run, thread, [], set())
    waits = {day: histogram.percentile_s(f["all"]["response"], 0.5) for day, f in days.items()
             if f["all"]["response"]}
    assert waits == {"2026-11-01": pytest.approx(300, rel=0.05), "2026-11-10": pytest.approx(120, rel=0.05)}
    assert [days[d]["all"]["new_contacts"] for d in ("2026-11-01", "2026-11-02", "2026-11-10")] == [1, 0, 0]


def generated(rng: random.Random, days: int) -> list[dict]:
    documents, start = [], Run(FIRST, FIRST, "America/Sao_Paulo").start_ms
    for n in range(1500):
        at = start + rng.randrange(0, days * DAY_MS)
        documents.append({**message(n, at, rng.choice("in out out".split()), f"c{rng.randrange(40)}",
                                    rng.choice(("s1", "s2"))),
                          "status_times": {"sent": at + 1000, "read": at + rng.randrange(2000, 10 ** 8)}})
    # Quiet spells: a message of c0 after more than a week of nothing in it.
    documents.append(message(9999, start + 10 * DAY_MS, "in", "c99"))
    documents.append(message(9998, start + 19 * DAY_MS, "in", "c99"))
    return documents


def computed_as(documents: list, first: date, last: date, tz: str) -> dict:
    """What services.analytics.rollups hands over for the run [first, last]."""
    run = Run(first, last, tz)
    found = [d for d in documents if run.start_ms <= d["created_at"] < run.end_ms]
    conversations = {d["conversation_id"] for d in found}
    prior = [d for d in documents if d["conversation_id"] in conversations
             and run.start_ms - LOOKBACK_MS <= d["created_at"] < run.start_ms]
    before = {d["conversation_id"] for d in documents if d["direction"] == "in"
              and d["created_at"] < run.start_ms - LOOKBACK_MS}
    return day_figures.compute(run, found, prior, before)


def test_a_day_has_the_same_figures_whichever_run_computes_it():
    documents = generated(random.Random(28), 30)
    tz, last = "America/Sao_Paulo", FIRST + timedelta(29)
    whole = computed_as(documents, FIRST, last, tz)
    for first, end in [(FIRST + timedelta(n), FIRST + timedelta(min(n + 6, 29))) for n in range(0, 30, 7)]:
        assert computed_as(documents, first, end, tz) == {day: whole[day] for day in
                                                          computed_as(documents, first, end, tz)}
    for n in (0, 13, 29):
        day = FIRST + timedelta(n)
        assert computed_as(documents, day, day, tz) == {day.isoformat(): whole[day.isoformat()]}
    totals = [whole[d]["all"] for d in whole]
    assert sum(f["inbound"] + f["outbound"] for f in totals) == len(documents)
    assert sum(f["new_contacts"] for f in totals) == len({d["conversation_id"] for d in documents
                                                          if d["direction"] == "in"})
    assert RESPONSE_WINDOW_MS * 2 == LOOKBACK_MS
