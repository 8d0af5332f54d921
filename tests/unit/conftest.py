import uuid

import pytest


@pytest.fixture
def database_uri():
    return f"mongomock://localhost/unit_{uuid.uuid4().hex[:8]}"
