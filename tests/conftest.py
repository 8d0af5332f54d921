"""Fixtures shared by every tier. Each tier's conftest provides `database_uri`, from
the three databases below: mongomock in-process, an nx-27017 server over the wire, and
the MongoDB that MONGODB_TEST_URI names."""
import os
import uuid
from dataclasses import dataclass
from datetime import datetime

import pytest
from pymongo import MongoClient
from pymongo.errors import AutoReconnect

from app import create_app
from services import clock
from services.commerce import sales_stats
from tests.integration.processes import start_nx, stop

ADMIN_TOKEN = "test-admin-token-0123456789"



def mongomock_database():
    yield f"mongomock://localhost/unit_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def nx_server(tmp_path_factory):
    """One nx-27017 server for the whole run, started by the first test that needs it."""
    proc, uri = start_nx(tmp_path_factory.mktemp("nx"))
    yield uri
    stop(proc)


def nx_database(nx_server_uri: str):
    """A database of its own per test on the shared server."""
    name = f"it_{uuid.uuid4().hex[:10]}"
    yield nx_server_uri.replace("/chatkeep?", f"/{name}?")
    client = MongoClient(nx_server_uri)
    client.drop_database(name)
    client.close()


def mongodb_database():
    uri = os.environ.get("MONGODB_TEST_URI")
    if not uri:
        pytest.skip("MONGODB_TEST_URI is not set: no MongoDB to check conformance against")
    name = f"chatkeep_conf_{uuid.uuid4().hex[:8]}"
    base, _, query = uri.partition("?")
    yield f"{base.rstrip('/')}/{name}" + (f"?{query}" if query else "")
    MongoClient(uri).drop_database(name)


@pytest.fixture
def app(database_uri, tmp_path):
    # Suites fail authentication on purpose many times; the throttle has its own test.
    return create_app({"MONGODB_URI": database_uri, "DATA_DIR": str(tmp_path),
                       "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "TESTING": True, "AUTH_FAILURE_LIMIT": 100000})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def admin():
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@dataclass
class TenantHandle:
    slug: str
    api_key: str
    webhook_token: str

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.api_key}"}


def create_tenant(client, admin, slug=None) -> TenantHandle:
    slug = slug or f"t-{uuid.uuid4().hex[:10]}"
    response = client.post("/api/v1/admin/tenants", json={"slug": slug, "name": slug.title()},
                           headers=admin)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    return TenantHandle(slug, body["api_key"], body["webhook_token"])


@pytest.fixture
def tenant(client, admin):
    return create_tenant(client, admin)


@pytest.fixture
def other_tenant(client, admin):
    return create_tenant(client, admin)


def assert_problem(response, status: int, field: str | None = None):
    """The response is RFC 9457 problem+json with `status`, naming `field` if given."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"] and body["detail"]
    assert "Traceback" not in response.get_data(as_text=True)
    if field is not None:
        assert field in body.get("errors", {}), body
    return body


class FrozenClock:
    def __init__(self):
        self.ms = clock.now_ms()

    def set(self, iso: str) -> None:
        self.ms = clock.to_ms(datetime.fromisoformat(iso.replace("Z", "+00:00")))


@pytest.fixture
def frozen_clock(monkeypatch):
    """services.clock.now_ms under the test's control (the app runs in this process)."""
    frozen = FrozenClock()
    monkeypatch.setattr(clock, "now_ms", lambda: frozen.ms)
    return frozen


@pytest.fixture
def counters_fail_at(monkeypatch):
    """Make the n-th statistics write of what follows fail as an outage does."""
    def arm(n: int):
        real, calls = sales_stats.add_counts, []

        def add_counts(day, incs):
            calls.append(day)
            if len(calls) == n:
                raise AutoReconnect("the database went away")
            return real(day, incs)
        monkeypatch.setattr(sales_stats, "add_counts", add_counts)
        return lambda: monkeypatch.setattr(sales_stats, "add_counts", real)
    return arm
