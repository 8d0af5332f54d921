"""The suites here run on every tier through one parametrised `database_uri`: mongomock
in-process, nx-27017 over the wire, and MONGODB_TEST_URI (skipped when unset). A test's
id names its tier: `test_x[mongomock]`, `test_x[nx]`, `test_x[mongodb]`."""
import pytest

from tests.conftest import mongodb_database, mongomock_database, nx_database
from tests.webhook_receiver import Receiver

TIERS = [pytest.param("mongomock", id="mongomock"),
         pytest.param("nx", id="nx", marks=pytest.mark.wire),
         pytest.param("mongodb", id="mongodb", marks=pytest.mark.wire)]


@pytest.fixture(params=TIERS)
def database_uri(request):
    if request.param == "mongomock":
        yield from mongomock_database()
    elif request.param == "nx":
        yield from nx_database(request.getfixturevalue("nx_server"))
    else:
        yield from mongodb_database()


@pytest.fixture
def morning_clock(frozen_clock):
    """A frozen clock at 10:00 UTC: the upkeep steps move it on by about 10 minutes,
    which from the real time could cross midnight and count into the next day."""
    frozen_clock.set("2026-11-22T10:00:00Z")
    return frozen_clock


@pytest.fixture
def receiver():
    """A loopback webhook receiver (tests.webhook_receiver), closed after the test."""
    server = Receiver()
    yield server
    server.close()
