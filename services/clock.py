"""Time as ChatKeep stores it: integer milliseconds since the Unix epoch (UTC).

Integers behave the same on MongoDB, the embedded nx-27017 server and mongomock
(nx-27017 turns a datetime written by `$set` on an existing document into a string),
they compare and `$max` correctly, and they carry exactly the millisecond precision
the contract shows. The wire form is ISO 8601 UTC with a Z: 2026-11-22T10:15:30.123Z.
"""
import time
from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
# Times accepted from outside: anything else could not be written back out (year 1 is
# no ISO 8601 year with a Z; year 9999 plus a TTL overflows).
EARLIEST_MS, LATEST_MS = 0, 32503680000000  # 1970-01-01 to 3000-01-01
CLOCK_SKEW_MS = 5 * 60_000  # how far ahead of this host's clock another's may be


def to_ms(moment: datetime) -> int:
    """A datetime (naive means UTC) as epoch milliseconds, truncated."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = moment - _EPOCH
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)


def now_ms() -> int:
    return to_ms(datetime.now(timezone.utc))


def wait_past(ms: int) -> None:
    """Return once this host's clock has passed millisecond `ms` (at most about 2 ms),
    so that whatever is stored after the caller answers carries a later time."""
    deadline = time.monotonic() + 0.002  # a clock stepped back is not waited out
    while now_ms() <= ms and time.monotonic() < deadline:
        time.sleep(0.0001)


def iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    seconds, millis = divmod(int(ms), 1000)
    return f"{_iso_second(seconds)}{millis:03d}Z"


@lru_cache(maxsize=4096)
def _iso_second(seconds: int) -> str:
    """The seconds of an ISO time: a message's times, and those of a batch of events,
    share a few (strftime was a fifth of rendering an event)."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.")


def is_known_timezone(name: str) -> bool:
    return name in available_timezones()


def local_day(at_ms: int, tz: str) -> str:
    """The calendar date of `at_ms` in the IANA zone `tz`, as YYYY-MM-DD."""
    return datetime.fromtimestamp(at_ms // 1000, ZoneInfo(tz)).date().isoformat()


def local_day_start_ms(at_ms: int, tz: str) -> int:
    """The first millisecond of the calendar day holding `at_ms` in the IANA zone `tz`."""
    local = datetime.fromtimestamp(at_ms / 1000, ZoneInfo(tz))
    return to_ms(local.replace(hour=0, minute=0, second=0, microsecond=0))
