"""schemathesis over the OpenAPI document, in-process, authenticated: no 5xx, and
every response matches what the document says.

Left out: positive_data_acceptance. A schema cannot say which strings are cursors
this service issued, or which digits form a possible phone number, so schema-valid
requests are rightly refused with 422 there.
"""
import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from app import create_app, register_database
from tests.conftest import ADMIN_TOKEN, create_tenant

# Snapshots the cases ask for are written here, not into the checkout's ./data.
DATA_DIR = tempfile.TemporaryDirectory(prefix="chatkeep-openapi-fuzz-")
APP = create_app({"MONGODB_URI": "mongomock://localhost/openapi_fuzz", "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN,
                  "DATA_DIR": DATA_DIR.name, "TESTING": True, "AUTH_FAILURE_LIMIT": 100000})
TENANT = {}
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def fuzz_tenant():
    """The tenant the cases authenticate as, in this app's database. The connection,
    tenant cache and failure throttle are process-wide and every other test's app
    rebinds them: bound here, when these run, not at import (a tenant made then is gone
    and every case would get 401; a throttle test's low limit would answer 429)."""
    register_database(APP)
    TENANT.clear()


def _tenant_key() -> str:
    if "api_key" not in TENANT:
        TENANT["api_key"] = create_tenant(APP.test_client(), {"Authorization": f"Bearer {ADMIN_TOKEN}"}).api_key
    return TENANT["api_key"]


@schema.auth()
class ChatKeepAuth:
    """The tenant's key on tenant endpoints, the admin token on admin ones."""

    def get(self, case, context):
        return ADMIN_TOKEN if case.path.startswith("/api/v1/admin") else _tenant_key()

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_errors_and_matches_its_document(case):
    case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])
