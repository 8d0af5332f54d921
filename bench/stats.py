"""Small statistics helpers: medians, percentiles, ratios that tolerate missing values."""
import statistics


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def percentile(values, q: float):
    """Nearest-rank percentile (q in 0..100) of the values that are not None."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ratio(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return numerator / denominator
