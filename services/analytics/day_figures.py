"""The figures of consecutive days, computed from their messages (pure: no database).

A day's figures, for the whole tenant ("all") and per gateway session:
- delivery, over the outbound messages created that day: `outbound`; `sent`,
  `delivered`, `read`, `failed` (reached that status or beyond, by the statuses ever
  reported, so a late lower status counts too; `played` is read); histograms
  `to_deliver` and `to_read` (the first delivered-or-beyond time, the first read-or-played
  time, minus the sent time or, without one, the created time);
- conversations: `inbound`; `active_contacts` (conversations with an inbound message that
  day); `new_contacts` (conversations whose first inbound message ever was that day);
  histogram `response`: each outbound message that answers a contact's waiting messages
  adds the wait, counted on the answer's day. A wait starts at a contact's message that
  follows an outbound one, or nothing, or more than RESPONSE_WINDOW_MS of silence; waits
  over RESPONSE_WINDOW_MS are not measured. So an answer's wait depends only on the 2
  windows before it, which the caller hands in as `prior`: a day's figures are the same
  whichever run of days it is computed in.

A contact is a conversation (the pair of numbers): figures hold no phone.
"""
import bisect
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.analytics import histogram

RESPONSE_WINDOW_MS = 7 * 24 * 3600 * 1000
LOOKBACK_MS = 2 * RESPONSE_WINDOW_MS  # what `prior` must cover before the first day
COUNTS = ("outbound", "sent", "delivered", "read", "failed", "inbound", "active_contacts", "new_contacts")
HISTOGRAMS = ("to_deliver", "to_read", "response")
REACHED = {"sent": ("sent", "delivered", "read", "played"), "delivered": ("delivered", "read", "played"),
           "read": ("read", "played"), "failed": ("failed",)}


def empty() -> dict:
    return {**{name: 0 for name in COUNTS}, **{name: {} for name in HISTOGRAMS}}


def day_start_ms(day: date, tz: str) -> int:
    return int(datetime.combine(day, time(0), ZoneInfo(tz)).timestamp() * 1000)


class Run:
    """Consecutive days [first, last] in zone `tz`."""

    def __init__(self, first: date, last: date, tz: str):
        self.tz = tz
        self.days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        self.starts = [day_start_ms(day, tz) for day in self.days]
        self.start_ms, self.end_ms = self.starts[0], day_start_ms(last + timedelta(days=1), tz)

    def day_of(self, at_ms: int) -> str | None:
        if not self.start_ms <= at_ms < self.end_ms:
            return None
        return self.days[bisect.bisect_right(self.starts, at_ms) - 1].isoformat()


class _Figures:
    def __init__(self, run: Run):
        self.days = {day.isoformat(): {"all": empty(), "sessions": {}} for day in run.days}
        self.active: set = set()  # (day, scope, conversation)

    def scopes(self, day: str, session_id: str | None) -> list[dict]:
        sessions = self.days[day]["sessions"]
        return [self.days[day]["all"], sessions.setdefault(session_id or "", empty())]

    def count(self, day: str, session_id, name: str) -> None:
        for figures in self.scopes(day, session_id):
            figures[name] += 1

    def sample(self, day: str, session_id, name: str, ms: int) -> None:
        for figures in self.scopes(day, session_id):
            histogram.add(figures[name], ms)

    def contact(self, day: str, session_id, conversation_id: str) -> None:
        for scope, figures in zip(("all", f"s:{session_id or ''}"), self.scopes(day, session_id)):
            key = (day, scope, conversation_id)
            if key not in self.active:
                self.active.add(key)
                figures["active_contacts"] += 1


def compute(run: Run, messages: list[dict], prior: list[dict], contacted_before: set) -> dict:
    """{day: {"all": figures, "sessions": {session_id: figures}}} for every day of `run`.

    `messages`: the visible messages created in the run; `prior`: those of the same
    conversations in the LOOKBACK_MS before it; `contacted_before`: conversations with an
    inbound message before that lookback.
    """
    figures = _Figures(run)
    for message in messages:
        day = run.day_of(message["created_at"])
        if day is not None and message.get("direction") == "out":
            _delivery(figures, day, message)
    _conversations(figures, run, messages, prior, contacted_before)
    return figures.days


def _delivery(figures: _Figures, day: str, message: dict) -> None:
    session_id, times = message.get("session_id"), message.get("status_times") or {}
    figures.count(day, session_id, "outbound")
    for name, statuses in REACHED.items():
        if any(status in times for status in statuses):
            figures.count(day, session_id, name)
    start = times.get("sent") or message["created_at"]
    for name, statuses in (("to_deliver", REACHED["delivered"]), ("to_read", REACHED["read"])):
        reached = [times[status] for status in statuses if isinstance(times.get(status), int)]
        if reached:
            figures.sample(day, session_id, name, max(min(reached) - start, 0))


def _conversations(figures: _Figures, run: Run, messages: list, prior: list, contacted_before: set) -> None:
    threads: dict[str, list] = {}
    for message in sorted(prior + messages, key=lambda m: (m["created_at"], m["_id"])):
        if message.get("conversation_id"):
            threads.setdefault(message["conversation_id"], []).append(message)
    for conversation_id, thread in threads.items():
        contacted = conversation_id in contacted_before
        waiting_since, previous_at = None, None
        for message in thread:
            at, day = message["created_at"], run.day_of(message["created_at"])
            if message.get("direction") == "in":
                if waiting_since is None or at - previous_at >= RESPONSE_WINDOW_MS:
                    waiting_since = at
                if day is not None:
                    figures.count(day, message.get("session_id"), "inbound")
                    figures.contact(day, message.get("session_id"), conversation_id)
                    if not contacted:
                        figures.count(day, message.get("session_id"), "new_contacts")
                contacted = True
            else:
                if waiting_since is not None and day is not None and at - waiting_since < RESPONSE_WINDOW_MS:
                    figures.sample(day, message.get("session_id"), "response", at - waiting_since)
                waiting_since = None
            previous_at = at
