"""Per-day figures, computed lazily when read and kept as rollups (models.analytics).

No command is added to the message and status writes (they keep the (tenant_id,
updated_at) index below up to date), and nothing runs while nobody reads. A read of days [first, last]:
1. fetches the days' rollups (one query);
2. finds the messages changed since the oldest of them was computed (one query on the
   (tenant_id, updated_at) index): a rollup is stale when a message of its day changed
   at or after its `as_of`;
3. computes the missing and stale days from their messages (services.analytics.day_figures),
   consecutive days together: their messages by created_at, the same conversations'
   messages of the lookback before them, and, when needed, which of the days'
   contacts wrote before that (one query each), then stores them (one bulk write),
   at most MAX_RUN_DAYS at a time (a week's messages in memory, not a year's);
4. when query (2) found changes, moves the `as_of` of the rollups it checked forward
   (one write), so the next read does not look at the same changes again.
So a repeated read costs two queries whatever the history, and a read after changes
costs the days they touched. A change commits within the event write deadline of its
`updated_at` (services.events.event_log), so `as_of` is the read's time minus
settle_ms: a write still in flight when a day was computed is seen as a change later.
Rollups not checked for STALE_AFTER_MS are computed again rather than checked: that
bounds query (2) by a week of changes.

Deleted messages (erasure, retention, a deleted conversation) stay counted in a day
already computed, as sales statistics do: rollups hold no phone. A day computed, or
computed again because another of its messages changed, after the deletion counts what
is left.
"""
import secrets
from datetime import date

from models.analytics import AnalyticsDay
from models.collections import DuplicateKeyAt, in_order, scoped
from models.message import Message
from services import clock
from services.analytics import day_figures
from services.analytics.day_figures import Run
from services.events import event_log

STALE_AFTER_MS = 7 * 24 * 3600 * 1000
MAX_RUN_DAYS = 7
BATCH = 5000  # documents per round trip of the scans (a server's default getMore may be ~100)
MESSAGE_FIELDS = {"_id": 1, "session_id": 1, "conversation_id": 1, "direction": 1, "created_at": 1,
                  "status_times": 1, "awaiting_message": 1}


def days_figures(first: date, last: date, tz: str) -> dict[str, dict]:
    """{day: {"all": figures, "sessions": {session_id: figures}}} for each day of [first, last]."""
    run = Run(first, last, tz)
    now = clock.now_ms()
    stored = {doc["day"]: doc for doc in scoped(AnalyticsDay).find(
        {"day": {"$gte": first.isoformat(), "$lte": last.isoformat()}})}
    stored = {day: doc for day, doc in stored.items() if doc.get("tz") == tz and doc["as_of"] > now - STALE_AFTER_MS}
    checked_at = clock.now_ms()
    stale, seen = _changed_days(run, stored)
    for day in stale:
        stored.pop(day)
    if seen:  # else the same query finds nothing next time either: no write needed
        _recheck(stored, checked_at - event_log.settle_ms())
    figures = {day: _decoded(doc) for day, doc in stored.items()}
    missing = [day for day in run.days if day.isoformat() not in figures]
    for first_missing, last_missing in _consecutive(missing):
        figures.update(_compute_and_store(Run(first_missing, last_missing, tz)))
    return figures


def _changed_days(run: Run, stored: dict) -> tuple[set[str], int]:
    """The stored days a message changed on since they were computed, and how many changes were looked at."""
    if not stored:
        return set(), 0
    oldest = min(doc["as_of"] for doc in stored.values())
    changed = list(scoped(Message).find({"updated_at": {"$gte": oldest}},
                                        projection={"created_at": 1, "updated_at": 1}).batch_size(BATCH))
    stale = set()
    for message in changed:
        day = run.day_of(message["created_at"]) if isinstance(message.get("created_at"), int) else None
        if day in stored and message["updated_at"] >= stored[day]["as_of"]:
            stale.add(day)
    return stale, len(changed)


def _recheck(checked: dict, as_of: int) -> None:
    """Every change before `as_of` has been looked for: say so on the rollups checked
    (by their rev: one rewritten meanwhile keeps its own as_of), so the next read does
    not look at the same changes again."""
    due = [doc for doc in checked.values() if doc["as_of"] < as_of]
    if due:
        scoped(AnalyticsDay).update_many({"day": {"$in": [doc["day"] for doc in due]},
                                          "rev": {"$in": [doc["rev"] for doc in due]}}, {"$set": {"as_of": as_of}})


def _consecutive(days: list[date]) -> list[tuple[date, date]]:
    """Runs of consecutive days, each at most MAX_RUN_DAYS long (what one computation holds in memory)."""
    runs = []
    for day in days:
        if runs and (day - runs[-1][1]).days == 1 and (day - runs[-1][0]).days < MAX_RUN_DAYS:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _visible(documents) -> list[dict]:
    return [d for d in documents if d.get("awaiting_message") == 0 and isinstance(d.get("created_at"), int)]


def _compute_and_store(run: Run) -> dict[str, dict]:
    as_of = clock.now_ms() - event_log.settle_ms()
    messages = scoped(Message)
    # awaiting_message is filtered here: asked of the database, it may pick that index.
    found = _visible(messages.find({"created_at": {"$gte": run.start_ms, "$lt": run.end_ms}},
                                   projection=MESSAGE_FIELDS).batch_size(BATCH))
    conversations = sorted({m["conversation_id"] for m in found if m.get("conversation_id")})
    prior = []
    if conversations:
        prior = _visible(messages.find({"conversation_id": {"$in": conversations},
                                        "created_at": {"$gte": run.start_ms - day_figures.LOOKBACK_MS,
                                                       "$lt": run.start_ms}},
                                       projection=MESSAGE_FIELDS).batch_size(BATCH))
    seen_inbound = {m["conversation_id"] for m in prior if m.get("direction") == "in"}
    unknown = sorted({m["conversation_id"] for m in found
                      if m.get("direction") == "in" and m.get("conversation_id") not in seen_inbound} - {None})
    contacted_before = set()
    if unknown:
        contacted_before = set(messages.counts_by(
            {"conversation_id": {"$in": unknown}, "direction": "in",
             "created_at": {"$lt": run.start_ms - day_figures.LOOKBACK_MS}}, "conversation_id"))
    figures = day_figures.compute(run, found, prior, contacted_before)
    _store(figures, run.tz, as_of)
    return figures


def _store(figures: dict, tz: str, as_of: int) -> None:
    rollups = scoped(AnalyticsDay)
    writes = []
    for day, day_figures_ in figures.items():
        sessions = {str(n): {"session_id": session_id, **values}
                    for n, (session_id, values) in enumerate(sorted(day_figures_["sessions"].items()))}
        writes.append(rollups.update_write({"day": day}, {"$set": {
            "tz": tz, "as_of": as_of, "rev": secrets.token_hex(8), "all": day_figures_["all"],
            "sessions": sessions}}, upsert=True))
    try:
        in_order(*writes)
    except DuplicateKeyAt:
        pass  # another read stored the same day meanwhile: its figures are as good; ours are recomputed later


def _decoded(doc: dict) -> dict:
    sessions = {entry["session_id"]: {k: v for k, v in entry.items() if k != "session_id"}
                for entry in (doc.get("sessions") or {}).values()}
    return {"all": doc.get("all") or day_figures.empty(), "sessions": sessions}
