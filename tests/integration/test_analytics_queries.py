"""Analytics reads cost a fixed number of database commands however long the tenant's
history (counted by chatkeep_db_commands_total on a real nx-27017): a repeated read two,
a read after a change the days it touched."""
import pytest

from app import create_app
from tests.conftest import ADMIN_TOKEN
from tests.every_tier.test_api_analytics import send, status
from tests.integration.test_dashboard_queries import request_commands

A, B = "5511900000001", "5511900000002"


@pytest.fixture
def app(database_uri, tmp_path):
    return create_app({"MONGODB_URI": database_uri, "DATA_DIR": str(tmp_path), "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN,
                       "TESTING": True, "AUTH_FAILURE_LIMIT": 100000, "AUTH_CACHE_S": 300})


def commands_of(client, tenant, path: str) -> float:
    before = request_commands()
    response = client.get(path, headers=tenant.headers)
    assert response.status_code == 200, response.get_json()
    return request_commands() - before


def history(client, tenant, clock, days: int, per_day: int) -> str:
    """`per_day` answered conversations on each of `days` days before the 22nd; the last outbound's id."""
    last = None
    for day in range(days):
        for n in range(per_day):
            at = f"2026-11-{21 - day:02d}T1{n % 10}:00:00Z"
            send(client, tenant, clock, at, "in", f"55119{day:04d}{n:04d}")
            last = send(client, tenant, clock, at.replace(":00:00Z", ":01:00Z"), "out", f"55119{day:04d}{n:04d}")
    return last


def test_a_repeated_read_costs_two_commands_whatever_the_history(client, tenant, other_tenant, frozen_clock):
    history(client, tenant, frozen_clock, 3, 2)
    last = history(client, other_tenant, frozen_clock, 10, 6)
    path = "/api/v1/analytics/delivery?from=2026-11-01&to=2026-11-22"
    frozen_clock.set("2026-11-22T12:00:00Z")
    costs = {}
    for who, outbound in ((tenant, 6), (other_tenant, 60)):
        first = client.get(path, headers=who.headers).get_json()  # computes the days
        assert first["totals"]["outbound"] == outbound
        costs[outbound] = [commands_of(client, who, path) for _ in range(3)]
    assert costs == {6: [2, 2, 2], 60: [2, 2, 2]}
    status(client, other_tenant, last, "read", "2026-11-22T12:00:00Z")  # a late status on the 12th
    frozen_clock.set("2026-11-22T12:00:05Z")  # past the settle window (a read within it computes twice)
    changed = commands_of(client, other_tenant, path)
    # The rollups and the changes; the day again: its messages, their conversations' lookback and first
    # contacts, its write; and the checked rollups marked checked.
    assert 2 < changed <= 7, changed
    assert commands_of(client, other_tenant, path) == 2
    assert client.get(path, headers=other_tenant.headers).get_json()["totals"]["read"] == 1


def test_changes_are_looked_at_once(client, tenant, frozen_clock):
    """After a read that found changes, the next one does not fetch them again (more than
    a cursor batch of them would cost a getMore on every read)."""
    history(client, tenant, frozen_clock, 3, 1)
    path = "/api/v1/analytics/delivery?from=2026-11-01&to=2026-11-22"
    frozen_clock.set("2026-11-22T09:00:00Z")
    client.get(path, headers=tenant.headers)
    for n in range(120):
        send(client, tenant, frozen_clock, f"2026-11-22T10:{n // 60:02d}:{n % 60:02d}Z", "out", A)
    frozen_clock.set("2026-11-22T12:00:00Z")
    assert client.get(path, headers=tenant.headers).get_json()["totals"]["outbound"] == 123
    assert [commands_of(client, tenant, path) for _ in range(2)] == [2, 2]
