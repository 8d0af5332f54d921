"""Sales statistics through the HTTP API (and the rebuild command), run on every tier."""
from models.collections import scoped
from models.sales_stats import SalesDay, SalesTotal
from models.tenancy import tenant_scope
from services.commerce import sales_stats
from services.tenancy import tenants
from tests.conftest import assert_problem
from tests.every_tier.test_api_orders import act, create, figures, item, order, stats


def test_stats_totals_daily_and_by_product_type(client, tenant, frozen_clock):
    frozen_clock.set("2026-11-21T12:00:00Z")
    a = create(client, tenant, order("A", item("t-shirt", 2, "10.00"), item("mug", 1, "5.00"))).get_json()
    b = create(client, tenant, order("B", item("mug", 3, "0.10"))).get_json()
    frozen_clock.set("2026-11-22T12:00:00Z")
    act(client, tenant, a["id"], "complete", {"revenue": "10.00"})  # split 8.00 / 2.00 by item totals
    act(client, tenant, b["id"], "cancel")
    c = create(client, tenant, order("C", item("t-shirt", 1, "0.10"), item("mug", 1, "0.20"),
                                     item("gift card", 1, "0.00"))).get_json()
    act(client, tenant, c["id"], "complete")
    create(client, tenant, order("D", item("t-shirt", 1, "1.00")))
    result = stats(client, tenant, "?from=2026-11-20&to=2026-11-22")
    assert result["totals"] == figures(4, 2, 1, "10.30", {
        "gift card": {"orders": 1, "completed": 1, "revenue": "0.00"},
        "mug": {"orders": 3, "completed": 2, "revenue": "2.20"},
        "t-shirt": {"orders": 3, "completed": 2, "revenue": "8.10"}})
    assert result["daily"] == [
        {"date": "2026-11-20", **figures()},
        {"date": "2026-11-21", **figures(2, 0, 0, "0.00", {
            "mug": {"orders": 2, "completed": 0, "revenue": "0.00"},
            "t-shirt": {"orders": 1, "completed": 0, "revenue": "0.00"}})},
        {"date": "2026-11-22", **figures(2, 2, 1, "10.30", {
            "gift card": {"orders": 1, "completed": 1, "revenue": "0.00"},
            "mug": {"orders": 1, "completed": 2, "revenue": "2.20"},
            "t-shirt": {"orders": 2, "completed": 2, "revenue": "8.10"}})}]
    assert [d["date"] for d in stats(client, tenant)["daily"]][-2:] == ["2026-11-21", "2026-11-22"]
    assert len(stats(client, tenant)["daily"]) == 90


def test_revenue_split_sums_exactly_with_the_remainder_on_the_largest_item(client, tenant):
    equal = create(client, tenant, order("E", item("a", 1, "1.00"), item("b", 1, "1.00"), item("c", 1, "1.00")))
    act(client, tenant, equal.get_json()["id"], "complete", {"revenue": "1.00"})  # 0.33 each + 0.01 to the first
    uneven = create(client, tenant, order("U", item("b", 1, "0.02"), item("a", 1, "0.01")))
    act(client, tenant, uneven.get_json()["id"], "complete", {"revenue": "0.01"})  # both round to 0: 0.01 to b
    by_type = stats(client, tenant)["totals"]["by_product_type"]
    assert {t: v["revenue"] for t, v in by_type.items()} == {"a": "0.34", "b": "0.34", "c": "0.33"}
    assert stats(client, tenant)["totals"]["revenue"] == "1.01"


def test_days_follow_the_tenant_time_zone(client, admin, tenant, other_tenant, frozen_clock):
    client.patch(f"/api/v1/admin/tenants/{tenant.slug}", json={"timezone": "America/Sao_Paulo"}, headers=admin)
    placed = {}
    frozen_clock.set("2026-11-22T02:30:00Z")  # 23:30 on the 21st in São Paulo
    for who in (tenant, other_tenant):
        placed[who.slug] = create(client, who, order("TZ", item(unit_price="3.00"))).get_json()
    frozen_clock.set("2026-11-22T03:30:00Z")  # 00:30 on the 22nd in São Paulo
    for who in (tenant, other_tenant):
        act(client, who, placed[who.slug]["id"], "complete")
    local = {d["date"]: (d["orders"], d["completed"], d["revenue"])
             for d in stats(client, tenant, "?from=2026-11-21&to=2026-11-22")["daily"]}
    assert local == {"2026-11-21": (1, 0, "0.00"), "2026-11-22": (0, 1, "3.00")}
    utc = {d["date"]: (d["orders"], d["completed"]) for d in stats(client, other_tenant, "?from=2026-11-21")["daily"]}
    assert utc == {"2026-11-21": (0, 0), "2026-11-22": (1, 1)}


def test_bad_stats_ranges_are_422(client, tenant):
    for query, field in (("?from=2026-13-01", "from"), ("?from=20261122", "from"), ("?to=2026-02-30", "to"),
                         ("?from=2026-11-22&to=2026-11-21", "from"), ("?to=yesterday", "to"),
                         ("?from=2026-W47-1", "from")):
        assert_problem(client.get(f"/api/v1/stats{query}", headers=tenant.headers), 422, field)


def test_days_beyond_retention_are_never_shown_and_pruned(client, tenant, app, frozen_clock):
    app.config["STATS_RETENTION_DAYS"] = 3
    frozen_clock.set("2026-11-17T10:00:00Z")
    act(client, tenant, create(client, tenant, order("OLD")).get_json()["id"], "complete")
    frozen_clock.set("2026-11-21T10:00:00Z")
    create(client, tenant, order("NEW"))
    result = stats(client, tenant, "?from=2026-11-01&to=2026-11-30")
    assert [(d["date"], d["orders"]) for d in result["daily"]] == [("2026-11-19", 0), ("2026-11-20", 0),
                                                                   ("2026-11-21", 1)]
    assert result["totals"]["orders"] == 2 and result["totals"]["revenue"] == "10.00"
    assert stats(client, tenant, "?from=2026-11-01&to=2026-11-17")["daily"] == []
    with app.app_context(), tenant_scope(tenants.get_tenant(tenant.slug).id):
        assert sales_stats.prune_days("UTC", 3) == 1
        assert sales_stats.prune_days("UTC", 3) == 0
        assert [day["date"] for day in scoped(SalesDay).find({})] == ["2026-11-21"]
    assert stats(client, tenant, "?from=2026-11-01&to=2026-11-30") == result


def test_stats_rebuild_command_restores_the_incremental_figures(client, tenant, app, frozen_clock):
    for n in range(4):
        placed = create(client, tenant, order(f"R{n}", item("t-shirt", n + 1, "2.50"), item("mug", 1, "1.99")))
        if n % 2:
            act(client, tenant, placed.get_json()["id"], "complete", {"revenue": "3.33"})
        elif n:
            act(client, tenant, placed.get_json()["id"], "cancel")
    before = stats(client, tenant)
    with app.app_context(), tenant_scope(tenants.get_tenant(tenant.slug).id):
        scoped(SalesDay).delete_many({})
        scoped(SalesTotal).update_one({}, {"$inc": {"orders": 5, "by_product_type.ghost.orders": 1}})
    assert stats(client, tenant) != before
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stats", "rebuild", "--tenant", tenant.slug])
    assert result.exit_code == 0, result.output
    assert f"{tenant.slug}: 4 orders counted, 1 days rebuilt" in result.output
    assert stats(client, tenant) == before
    assert runner.invoke(args=["stats", "rebuild", "--tenant", "nobody"]).exit_code != 0
