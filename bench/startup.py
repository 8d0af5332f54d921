"""Start-up: seconds from launching gunicorn to the first /readyz 200, on existing data."""
from pathlib import Path

from bench import procs
from bench.stats import median


def time_to_ready(data_dir: Path, reps: int, mongodb_uri=None) -> float:
    """Median over `reps` cold starts of the service on `data_dir` (stopped in between)."""
    seconds = []
    for _ in range(reps):
        service = procs.chatkeep(data_dir, mongodb_uri)
        try:
            seconds.append(service.start())
        finally:
            service.stop()
    return median(seconds)
