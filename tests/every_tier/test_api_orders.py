"""Orders and sales statistics through the HTTP API, run on every tier."""
import pytest

from tests.conftest import assert_problem

CUSTOMER = "5511912345678"


def item(product_type="t-shirt", quantity=1, unit_price="10.00", **extra):
    return {"product_type": product_type, "quantity": quantity, "unit_price": unit_price, **extra}


def order(external_id="SO-1", *items_, **extra):
    return {"external_order_id": external_id, "recipient_phone": "+55 11 91234-5678",
            "items": list(items_) or [item()], **extra}


def create(client, tenant, body):
    return client.post("/api/v1/orders", json=body, headers=tenant.headers)


def act(client, tenant, order_id, action, body=None):
    return client.post(f"/api/v1/orders/{order_id}/{action}", json=body, headers=tenant.headers)


def stats(client, tenant, query=""):
    response = client.get(f"/api/v1/stats{query}", headers=tenant.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def figures(orders=0, completed=0, cancelled=0, revenue="0.00", by_product_type=None):
    return {"orders": orders, "completed": completed, "cancelled": cancelled, "revenue": revenue,
            "by_product_type": by_product_type or {}}


def test_create_computes_an_exact_total(client, tenant):
    created = create(client, tenant, order("SO-1", item("mug", 1, "0.10"), item("mug", 1, "0.20", sku="MUG-1",
                                                                                 name="Mug")))
    assert created.status_code == 201
    body = created.get_json()
    assert body["total"] == "0.30" and body["status"] == "pending" and body["revenue"] is None
    assert body["currency"] == "BRL" and body["recipient_phone"] == CUSTOMER
    assert [(i["unit_price"], i["total"], i["sku"]) for i in body["items"]] == [("0.10", "0.10", None),
                                                                               ("0.20", "0.20", "MUG-1")]
    assert body["completed_at"] is None and body["created_at"].endswith("Z")
    assert client.get(f"/api/v1/orders/{body['id']}", headers=tenant.headers).get_json() == body
    big = create(client, tenant, order("SO-2", item(quantity=3, unit_price="19.9"), currency="USD")).get_json()
    assert big["total"] == "59.70" and big["items"][0]["unit_price"] == "19.90" and big["currency"] == "USD"


def test_same_external_order_id_returns_the_stored_order_and_counts_once(client, tenant):
    first = create(client, tenant, order("SO-7", item(unit_price="5.00")))
    again = create(client, tenant, order("SO-7", item(unit_price="99.00")))
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json() == first.get_json()
    assert client.get("/api/v1/orders?include_total=true", headers=tenant.headers).get_json()["total"] == 1
    assert stats(client, tenant)["totals"]["orders"] == 1


def test_complete_defaults_revenue_to_the_total_and_counts_once(client, tenant):
    placed = create(client, tenant, order("SO-1", item(quantity=2, unit_price="10.00"))).get_json()
    done = act(client, tenant, placed["id"], "complete")
    assert done.status_code == 200
    body = done.get_json()
    assert body["status"] == "completed" and body["revenue"] == "20.00" and body["completed_at"]
    again = act(client, tenant, placed["id"], "complete", {"revenue": "1.00"})
    assert again.status_code == 200 and again.get_json() == body
    totals = stats(client, tenant)["totals"]
    assert (totals["completed"], totals["revenue"]) == (1, "20.00")
    assert totals["by_product_type"]["t-shirt"] == {"orders": 1, "completed": 1, "revenue": "20.00"}


def test_complete_with_an_explicit_revenue(client, tenant):
    placed = create(client, tenant, order("SO-1", item(unit_price="10.00"))).get_json()
    body = act(client, tenant, placed["id"], "complete", {"revenue": "7.35"}).get_json()
    assert body["revenue"] == "7.35" and body["total"] == "10.00"
    assert stats(client, tenant)["totals"]["revenue"] == "7.35"


def test_cancel_and_illegal_transitions(client, tenant):
    cancelled = create(client, tenant, order("SO-1")).get_json()
    completed = create(client, tenant, order("SO-2")).get_json()
    first = act(client, tenant, cancelled["id"], "cancel")
    assert first.status_code == 200 and first.get_json()["status"] == "cancelled"
    assert act(client, tenant, cancelled["id"], "cancel").get_json() == first.get_json()
    act(client, tenant, completed["id"], "complete")
    assert_problem(act(client, tenant, cancelled["id"], "complete"), 409)
    assert_problem(act(client, tenant, completed["id"], "cancel"), 409)
    assert client.get(f"/api/v1/orders/{cancelled['id']}", headers=tenant.headers).get_json()["status"] == "cancelled"
    assert client.get(f"/api/v1/orders/{completed['id']}", headers=tenant.headers).get_json()["status"] == "completed"
    totals = stats(client, tenant)["totals"]
    assert (totals["orders"], totals["completed"], totals["cancelled"], totals["revenue"]) == (2, 1, 1, "10.00")
    for action in ("complete", "cancel"):
        assert_problem(act(client, tenant, "0123456789abcdef01234567", action), 404)
    assert_problem(client.get("/api/v1/orders/nope", headers=tenant.headers), 404)


def test_list_pages_newest_first_and_filters_by_status(client, tenant):
    ids = [create(client, tenant, order(f"SO-{n}")).get_json()["id"] for n in range(7)]
    for order_id in ids[::3]:
        act(client, tenant, order_id, "complete")
    seen, cursor = [], None
    while True:
        page = client.get("/api/v1/orders?limit=3" + (f"&cursor={cursor}" if cursor else ""),
                          headers=tenant.headers).get_json()
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids[::-1]
    done = client.get("/api/v1/orders?status=completed&include_total=true", headers=tenant.headers).get_json()
    assert done["total"] == 3 and [o["id"] for o in done["items"]] == ids[::3][::-1]
    assert_problem(client.get("/api/v1/orders?status=shipped", headers=tenant.headers), 422, "status")


@pytest.mark.parametrize("change,field", [
    ({"items": [item(unit_price=19.9)]}, "items"), ({"items": [item(unit_price=20)]}, "items"),
    ({"items": [item(unit_price="1.234")]}, "items"), ({"items": [item(unit_price="-1.00")]}, "items"),
    ({"items": [item(unit_price="1e3")]}, "items"), ({"items": [item(quantity=0)]}, "items"),
    ({"items": [item(quantity=-2)]}, "items"), ({"items": [item(quantity=1.5)]}, "items"),
    ({"items": [item(quantity="2")]}, "items"), ({"items": []}, "items"), ({"items": None}, "items"),
    ({"items": [item(colour="red")]}, "items"), ({"items": [item(product_type="a.b")]}, "items"),
    ({"items": [item(product_type="$where")]}, "items"), ({"items": [item(product_type="")]}, "items"),
    ({"items": [item(product_type="shirt\n")]}, "items"), ({"currency": "brl"}, "currency"),
    ({"currency": "BRL\n"}, "currency"),
    ({"recipient_phone": "12"}, "recipient_phone"), ({"external_order_id": ""}, "external_order_id"),
    ({"external_order_id": {"$gt": ""}}, "external_order_id"), ({"coupon": "X"}, "coupon"),
    ({"items": [item(quantity=1_000_000, unit_price="9999999999999.99")]}, "items"),
])
def test_bad_orders_are_422_naming_the_field_and_write_nothing(client, tenant, change, field):
    assert_problem(create(client, tenant, {**order("SO-bad"), **change}), 422, field)
    assert client.get("/api/v1/orders?include_total=true", headers=tenant.headers).get_json()["total"] == 0
    assert stats(client, tenant)["totals"] == figures()


def test_money_errors_say_what_to_send(client, tenant):
    body = assert_problem(create(client, tenant, order("SO-1", item(unit_price=0.1))), 422, "items")
    assert "decimal strings" in str(body["errors"]["items"])
    body = assert_problem(create(client, tenant, order("SO-1", item(unit_price="0.105"))), 422, "items")
    assert "2 decimal places" in str(body["errors"]["items"])


def test_bad_revenue_is_422_and_leaves_the_order_pending(client, tenant):
    placed = create(client, tenant, order()).get_json()
    for body, field in (({"revenue": 10.0}, "revenue"), ({"revenue": "10.001"}, "revenue"),
                        ({"revenue": "-1"}, "revenue"), ({"tip": "1.00"}, "tip")):
        assert_problem(act(client, tenant, placed["id"], "complete", body), 422, field)
    assert client.get(f"/api/v1/orders/{placed['id']}", headers=tenant.headers).get_json()["status"] == "pending"
    assert stats(client, tenant)["totals"]["completed"] == 0


def test_another_tenants_orders_do_not_exist_for_me(client, tenant, other_tenant):
    placed = create(client, tenant, order("SHARED-ID")).get_json()
    for action in ("complete", "cancel"):
        assert_problem(act(client, other_tenant, placed["id"], action), 404)
    assert_problem(client.get(f"/api/v1/orders/{placed['id']}", headers=other_tenant.headers), 404)
    assert client.get("/api/v1/orders", headers=other_tenant.headers).get_json()["items"] == []
    assert stats(client, other_tenant)["totals"] == figures()
    assert create(client, other_tenant, order("SHARED-ID")).status_code == 201
    assert client.get(f"/api/v1/orders/{placed['id']}", headers=tenant.headers).get_json()["status"] == "pending"
