"""The shared API suite against a real MongoDB, when MONGODB_TEST_URI names one."""
import os
import uuid

import pytest
from pymongo import MongoClient

URI = os.environ.get("MONGODB_TEST_URI")


@pytest.fixture
def database_uri():
    if not URI:
        pytest.skip("MONGODB_TEST_URI is not set: no MongoDB to check conformance against")
    name = f"chatkeep_conf_{uuid.uuid4().hex[:8]}"
    base, _, query = URI.partition("?")
    uri = f"{base.rstrip('/')}/{name}" + (f"?{query}" if query else "")
    yield uri
    MongoClient(URI).drop_database(name)
