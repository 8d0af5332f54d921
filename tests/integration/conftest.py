"""Integration tier: a real nx-27017 server over the wire; real gunicorn processes."""
import uuid

import pytest
from pymongo import MongoClient

from tests.integration.processes import start_nx, stop


@pytest.fixture(scope="session")
def nx_server(tmp_path_factory):
    proc, uri = start_nx(tmp_path_factory.mktemp("nx"))
    yield uri
    stop(proc)


@pytest.fixture
def database_uri(nx_server):
    """A database of its own per test on the shared server."""
    name = f"it_{uuid.uuid4().hex[:10]}"
    yield nx_server.replace("/chatkeep?", f"/{name}?")
    client = MongoClient(nx_server)
    client.drop_database(name)
    client.close()
