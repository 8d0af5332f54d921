"""Per-order amounts are bounded (services.money: at most 1000000000.00), so the
statistics' all-time 64-bit sums cannot overflow; the bound is in the OpenAPI
document; legacy files' bad quantities and daily dates are skipped and reported."""
import json

from models.collections import GlobalCollection
from models.order import Order
from services import money
from tests.conftest import assert_problem, create_tenant
from tests.every_tier.test_api_orders import act, create, figures, item, order, stats

OVER = "1000000000.01"


def test_an_order_at_the_bound_counts_and_one_over_it_is_refused(client, tenant):
    for body in (order("SO-over", item(unit_price=OVER)),
                 order("SO-sum", item(unit_price="600000000.00"), item(product_type="b", unit_price="400000000.01"))):
        assert_problem(create(client, tenant, body), 422, "items")
    placed = create(client, tenant, order("SO-max", item(unit_price=money.MAX_TOTAL_TEXT))).get_json()
    body = assert_problem(act(client, tenant, placed["id"], "complete", {"revenue": OVER}), 422, "revenue")
    assert "1000000000.00" in str(body["errors"])
    assert act(client, tenant, placed["id"], "complete").status_code == 200
    assert stats(client, tenant)["totals"]["revenue"] == money.MAX_TOTAL_TEXT


def test_an_order_stored_over_the_bound_before_it_existed_is_not_counted_without_a_revenue(app, client, tenant):
    placed = create(client, tenant, order("SO-old", item(unit_price="10.00"))).get_json()
    with app.app_context():  # as a legacy import could store it before the bound
        GlobalCollection(Order).update_one({"_id": placed["id"]}, {"$set": {"total": 10**15}})
    assert_problem(act(client, tenant, placed["id"], "complete"), 409)
    assert stats(client, tenant)["totals"]["completed"] == 0
    assert act(client, tenant, placed["id"], "complete", {"revenue": "10.00"}).status_code == 200
    assert stats(client, tenant)["totals"]["revenue"] == "10.00"


def test_the_openapi_document_states_the_bound(client):
    document = client.get("/openapi.json").get_json()
    item_schema = document["components"]["schemas"]["OrderItem"]["properties"]["unit_price"]
    assert "1000000000.00" in item_schema["description"]
    assert item_schema["pattern"] == r"^[0-9]{1,10}(\.[0-9]{1,2})?$"


def _import(app, tenant, directory) -> str:
    result = app.test_cli_runner().invoke(args=["legacy-import", "--tenant", tenant.slug, str(directory)])
    assert result.exit_code == 0, result.output
    return result.output


def test_legacy_quantities_that_are_not_whole_numbers_skip_their_order(app, client, admin, tmp_path):
    tenant = create_tenant(client, admin)
    entries = [{"odooOrderId": n + 1, "recipientPhone": "5511912345678", "total": 10,
                "items": [{"price": 10, "productType": "x", **quantity}]}
               for n, quantity in enumerate([{"quantity": True}, {"quantity": "2"}, {"quantity": 0},
                                             {"quantity": 2.5}, {}, {"quantity": 3}])]
    entries += [{"odooOrderId": 98, "recipientPhone": "5511912345678", "total": 10**10},  # over the bound
                {"odooOrderId": 99, "recipientPhone": "5511912345678",  # its items' total is over it
                 "items": [{"price": 1000, "quantity": 10**7}]}]
    (tmp_path / "pending_orders.json").write_text(json.dumps(entries))
    output = _import(app, tenant, tmp_path)
    assert "pending_orders.json: 2 imported, 6 skipped" in output
    assert "items[0]: quantity true is not a whole number" in output
    assert "total 10000000000 is over 1000000000.00" in output
    assert "total over 1000000000.00" in output
    stored = client.get("/api/v1/orders", headers=tenant.headers).get_json()["items"]
    assert sorted((o["external_order_id"], o["items"][0]["quantity"]) for o in stored) == [("5", 1), ("6", 3)]


def test_legacy_daily_entries_whose_date_is_not_a_date_are_skipped(app, client, admin, tmp_path, frozen_clock):
    frozen_clock.set("2026-11-22T10:00:00Z")
    tenant = create_tenant(client, admin)
    (tmp_path / "sales_stats.json").write_text(json.dumps({"daily": [
        {"date": "2026-11-22", "totalOrders": 1},
        {"date": "not-a-date-at-all", "totalOrders": 5},
        {"date": "2026-11-31", "totalOrders": 7},
        {"date": "2026/11/21", "totalOrders": 9},
        {"date": "9999999999", "totalOrders": 11}]}))
    output = _import(app, tenant, tmp_path)
    assert "sales_stats.json: 1 imported, 4 skipped" in output
    assert output.count("not a date") == 4
    daily = stats(client, tenant, "?from=2026-11-21&to=2026-11-22")["daily"]
    assert [day["orders"] for day in daily] == [0, 1]
    assert stats(client, tenant)["totals"] == figures()
