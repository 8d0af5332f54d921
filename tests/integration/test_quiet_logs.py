"""An idle service is quiet; a request's id reaches the real service's log format."""
import re

import pytest
import requests

from tests.conftest import ADMIN_TOKEN
from tests.integration.processes import Service, wait_until

pytestmark = pytest.mark.slow
WORKERS = 2


def _background_commands(url: str) -> float:
    """Database commands the scheduler jobs sent, all workers together: the tenant change
    watcher sends one or more per tick in each worker, so this counts ticks gone by."""
    text = requests.get(f"{url}/metrics", timeout=5).text
    return sum(float(value) for value in re.findall(
        r'^chatkeep_db_commands_total\{(?=[^}]*origin="background")[^}]*\} (\S+)$', text, re.M))


def test_an_idle_service_writes_no_log_lines_for_its_scheduler_ticks(tmp_path):
    """AUTH_CACHE_S=1 and the spool job every 3 s: a dozen job runs per worker while
    idle, none of which did anything, so not one log line."""
    env = {"CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "MONGODB_URI": "", "SNAPSHOT_INTERVAL_S": "0", "AUTH_CACHE_S": "1",
           "LOG_LEVEL": "INFO"}
    with Service(tmp_path, env, workers=WORKERS) as service:
        # Each worker logs its database once as it starts (the master too); then it is idle.
        wait_until(lambda: service.log().count("database: embedded") == WORKERS + 1)
        quiet_from = len(service.log().splitlines())
        ticks_from = _background_commands(service.url)
        wait_until(lambda: _background_commands(service.url) >= ticks_from + 6 * WORKERS, timeout_s=60,
                   interval_s=0.5)
        idle_lines = service.log().splitlines()[quiet_from:]
        assert idle_lines == [], "\n".join(idle_lines[:20])

        # The id's way into a request's log lines is tested in tests/unit/test_request_ids.py;
        # here: the real service echoes it, and its log format has the field.
        answered = requests.get(f"{service.url}/healthz", headers={"X-Request-Id": "idle-check-1"}, timeout=5)
        assert answered.headers["X-Request-Id"] == "idle-check-1"
    assert re.search(r"^\S+ \S+ INFO \[\d+\] \[-\] ", service.log(), re.M), "the format names the request id"
