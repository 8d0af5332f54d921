"""Integration tier: a real nx-27017 server over the wire; real gunicorn processes."""
from pathlib import Path

import pytest

from tests.conftest import nx_database


@pytest.fixture
def database_uri(nx_server):
    yield from nx_database(nx_server)


def pytest_collection_modifyitems(items):
    """Everything in this directory talks to a server over the wire (`make test-integration`)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.wire)
