"""Mergeable histograms of durations, for percentiles within 5 %.

A duration of `ms` milliseconds falls in bucket floor(log(ms) / log(RATIO)); bucket i
holds [RATIO**i, RATIO**(i+1)) ms and is read back as its geometric middle,
RATIO**(i + 0.5), which is within sqrt(RATIO) - 1 (4.9 %) of every value in it. Zero
(a status reported at the same millisecond, or earlier: clock skew) has its own
bucket. Buckets are counts, so days and sessions merge by adding them; stored as
{"<i>": count} ("z" for zero), a few hundred entries at most (30 days is bucket 155).
"""
import math

RATIO = 1.1
ZERO = "z"
_LOG_RATIO = math.log(RATIO)


def bucket_of(ms: int) -> str:
    if ms <= 0:
        return ZERO
    return str(int(math.log(ms) / _LOG_RATIO))


def add(histogram: dict, ms: int) -> None:
    key = bucket_of(ms)
    histogram[key] = histogram.get(key, 0) + 1


def merge(into: dict, other: dict | None) -> dict:
    for key, count in (other or {}).items():
        into[key] = into.get(key, 0) + count
    return into


def _middle_ms(key: str) -> float:
    return 0.0 if key == ZERO else RATIO ** (int(key) + 0.5)


def percentile_s(histogram: dict, share: float) -> float | None:
    """The nearest-rank percentile (`share` of 1) in seconds, to the millisecond; None when empty."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(1, math.ceil(share * total))
    seen = 0
    for key in sorted(histogram, key=lambda k: -1 if k == ZERO else int(k)):
        seen += histogram[key]
        if seen >= rank:
            return round(_middle_ms(key) / 1000, 3)
    return None  # unreachable: the counts reach the total
