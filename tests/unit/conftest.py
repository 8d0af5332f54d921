import pytest

from tests.conftest import mongomock_database


@pytest.fixture
def database_uri():
    yield from mongomock_database()
