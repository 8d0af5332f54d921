"""Fixtures shared by every tier. Each tier's conftest provides `database_uri`."""
import uuid
from dataclasses import dataclass

import pytest

from app import create_app

ADMIN_TOKEN = "test-admin-token-0123456789"


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
