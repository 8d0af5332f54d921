"""Every dashboard page costs a fixed number of database commands, however many rows it
shows (no query per row), counted by chatkeep_db_commands_total on a real nx-27017."""
import pytest
from prometheus_client import REGISTRY

from app import create_app
from tests.conftest import ADMIN_TOKEN, create_tenant
from tests.dashboard_helpers import SECRET_KEY, sign_in
from tests.every_tier.test_api_messages import BOT, message, post
from tests.every_tier.test_api_orders import act, create, item, order

TENANT_PAGES = ("/dashboard", "/dashboard/conversations", "/dashboard/conversations?unread=on",
                f"/dashboard/conversations?phone=%2B{BOT}", f"/dashboard/conversations/5511900000000/{BOT}",
                "/dashboard/orders", "/dashboard/orders?status=pending", "/dashboard/sales?days=90", "/dashboard/webhooks",
                "/dashboard/conversations/search?q=ola")


@pytest.fixture
def app(database_uri, tmp_path):
    # AUTH_CACHE_S: the signed-in tenant stays cached between the requests measured.
    return create_app({"MONGODB_URI": database_uri, "DATA_DIR": str(tmp_path), "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN,
                       "TESTING": True, "AUTH_FAILURE_LIMIT": 100000, "SECRET_KEY": SECRET_KEY,
                       "AUTH_CACHE_S": 300})


def request_commands() -> float:
    return sum(sample.value for metric in REGISTRY.collect() if metric.name == "chatkeep_db_commands"
               for sample in metric.samples
               if sample.name.endswith("_total") and sample.labels["origin"] == "request")


def commands_of(client, path: str) -> float:
    before = request_commands()
    response = client.get(path)
    assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
    return request_commands() - before


def add_activity(client, tenant, start: int, count: int) -> None:
    """`count` customers, each with a conversation of two messages and an order."""
    for n in range(start, start + count):
        customer = f"55119{n:08d}"
        post(client, tenant, message("in", f"in-{n}", **{"from": customer}))
        post(client, tenant, message("out", f"out-{n}", to=customer))
        placed = create(client, tenant, order(f"SO-{n}", item(f"type-{n % 7}"))).get_json()
        if n % 2:
            act(client, tenant, placed["id"], "complete")
        client.put(f"/api/v1/sessions/s-{n}", json={"status": "open"}, headers=tenant.headers)
        client.post("/api/v1/webhook-endpoints", json={"url": f"https://93.184.216.34/hook-{n}"}, headers=tenant.headers)
    for _ in range(count):  # the thread measured grows too
        post(client, tenant, message("in", None, **{"from": "5511900000000"}))


def test_tenant_pages_cost_the_same_commands_for_few_and_many_rows(client, tenant):
    add_activity(client, tenant, 0, 2)
    sign_in(client, tenant.api_key)
    for path in TENANT_PAGES:  # the tenant's lookup cached, each collection's indexes made on first use
        client.get(path)
    few = {path: commands_of(client, path) for path in TENANT_PAGES}
    add_activity(client, tenant, 2, 30)
    many = {path: commands_of(client, path) for path in TENANT_PAGES}
    assert many == few
    assert max(few.values()) <= 6, few
    print("commands per page:", few)


def test_operator_view_costs_the_same_commands_for_few_and_many_tenants(client, admin):
    for _ in range(2):
        add_activity(client, create_tenant(client, admin), 0, 1)
    sign_in(client, ADMIN_TOKEN)
    few = commands_of(client, "/dashboard")
    for _ in range(6):
        add_activity(client, create_tenant(client, admin), 0, 2)
    many = commands_of(client, "/dashboard")
    assert many == few <= 5, (few, many)
    print("operator view commands:", few)
