"""The analytics answers (the contract's shape) from per-day figures.

Days are tenant-local; days after today are zeros and never computed. Totals add the
days up: `active_contacts` counts a contact once per day it was active (contact-days),
`new_contacts` once (its first inbound message ever is on one day); percentiles come
from the merged histograms, so they are those of every sample in the range.
"""
from datetime import date, timedelta

from services import clock
from services.analytics import day_figures, histogram, rollups

DEFAULT_DAYS = 30


def today(tz: str) -> date:
    return date.fromisoformat(clock.local_day(clock.now_ms(), tz))


def default_range(tz: str, first: date | None, last: date | None) -> tuple[date, date]:
    """The contract's defaults: the last 30 days; with only `from`, up to today; with only `to`, 30 days to it."""
    if last is None:
        last = today(tz) if first is None else max(today(tz), first)
    if first is None:  # (the first days of year 1 have fewer days before them)
        first = date.fromordinal(max(last.toordinal() - (DEFAULT_DAYS - 1), 1))
    return first, last


def merged(figures: list[dict]) -> dict:
    total = day_figures.empty()
    for one in figures:
        for name in day_figures.COUNTS:
            total[name] += one.get(name, 0)
        for name in day_figures.HISTOGRAMS:
            histogram.merge(total[name], one.get(name))
    return total


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def delivery(f: dict) -> dict:
    return {"outbound": f["outbound"], "sent": f["sent"], "delivered": f["delivered"], "read": f["read"],
            "failed": f["failed"], "delivery_rate": _rate(f["delivered"], f["outbound"]),
            "read_rate": _rate(f["read"], f["outbound"]), "failure_rate": _rate(f["failed"], f["outbound"]),
            "time_to_deliver_p50_s": histogram.percentile_s(f["to_deliver"], 0.5),
            "time_to_deliver_p90_s": histogram.percentile_s(f["to_deliver"], 0.9),
            "time_to_read_p50_s": histogram.percentile_s(f["to_read"], 0.5),
            "time_to_read_p90_s": histogram.percentile_s(f["to_read"], 0.9)}


def conversations(f: dict) -> dict:
    return {"inbound": f["inbound"], "outbound": f["outbound"], "active_contacts": f["active_contacts"],
            "new_contacts": f["new_contacts"], "response_p50_s": histogram.percentile_s(f["response"], 0.5),
            "response_p90_s": histogram.percentile_s(f["response"], 0.9)}


SHAPES = {"delivery": delivery, "conversations": conversations}


def computed_days(tz: str, first: date, last: date) -> dict[str, dict]:
    """The rollups' figures of [first, last] up to today ({day: {"all", "sessions"}})."""
    return rollups.days_figures(first, min(last, today(tz)), tz) if first <= today(tz) else {}


def report(kind: str, tz: str, first: date, last: date, session_id: str | None = None,
           computed: dict | None = None) -> dict:
    """The answer of GET /api/v1/analytics/<kind> (kind: delivery or conversations)."""
    computed = computed_days(tz, first, last) if computed is None else computed
    shape, rows = SHAPES[kind], []
    for n in range((last - first).days + 1):
        day = (first + timedelta(days=n)).isoformat()
        figures = computed.get(day) or {"all": day_figures.empty(), "sessions": {}}
        scope = figures["all"] if session_id is None else figures["sessions"].get(session_id)
        rows.append((day, scope or day_figures.empty()))
    return {"from": first.isoformat(), "to": last.isoformat(), "timezone": tz,
            "totals": shape(merged([figures for _day, figures in rows])),
            "daily": [{"date": day, **shape(figures)} for day, figures in rows]}


def delivery_by_session(computed: dict) -> dict[str, dict]:
    """{session_id: delivery figures} over the days of `computed` (the dashboard's failures by session)."""
    sessions: dict[str, list] = {}
    for figures in computed.values():
        for session_id, values in figures["sessions"].items():
            sessions.setdefault(session_id, []).append(values)
    return {session_id: delivery(merged(values)) for session_id, values in sorted(sessions.items())}
