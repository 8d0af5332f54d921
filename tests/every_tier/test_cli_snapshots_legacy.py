"""The snapshot and legacy-import commands, run in-process on every tier."""
import json
import time

import pytest

from app import create_app
from tests.conftest import create_tenant
from tests.every_tier.test_api_orders import stats

NOW_MS = int(time.time() * 1000)


def _write_legacy(directory):
    recent = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 3600))
    today = time.strftime("%Y-%m-%d", time.gmtime())
    (directory / "chat_sessions.json").write_text(json.dumps({
        "5511912345678": {"recipientPhone": "5511912345678", "lastActivity": recent, "step": "cart",
                          "cart": [{"sku": "A1", "qty": 2}]},
        "5511900000001": {"recipientPhone": "+55 11 90000-0001", "lastActivity": NOW_MS - 600_000, "step": "menu"},
        "old": {"recipientPhone": "5511900000002", "lastActivity": NOW_MS - 3 * 86_400_000},
        "nophone": {"lastActivity": recent},
        "ahead": {"recipientPhone": "5511900000003", "lastActivity": "2100-01-01T00:00:00Z"},
        "year9999": {"recipientPhone": "5511900000004", "lastActivity": "9999-12-31T12:00:00Z"},
        "year0": {"recipientPhone": "5511900000005", "lastActivity": "0001-01-01T00:30:00+01:00"},
    }))
    (directory / "sales_stats.json").write_text(json.dumps({
        "daily": [{"date": today, "totalOrders": 3, "completedOrders": 2, "revenue": 59.8,
                   "productTypes": {"camiseta": 3}},
                  {"date": "2001-01-01", "totalOrders": 1, "completedOrders": 1, "revenue": 10}],
        "totals": {"totalOrders": 40, "completedOrders": 30, "revenue": 1234.5, "productTypes": {"camiseta": 40}},
    }))
    (directory / "pending_orders.json").write_text(json.dumps([
        {"odooOrderId": 9001, "recipientPhone": "5511912345678", "status": "pending", "total": 29.9,
         "items": [{"name": "Camiseta", "quantity": 1, "price": 29.9, "productType": "camiseta"}],
         "createdAt": recent},
        {"recipientPhone": "5511912345678", "total": 1},
    ]))


def test_legacy_import_reports_and_is_safe_twice(app, client, admin, tmp_path):
    tenant = create_tenant(client, admin)
    _write_legacy(tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["legacy-import", "--tenant", tenant.slug, str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert "chat_sessions.json: 2 imported, 5 skipped" in first.output
    assert "lastActivity is in the future" in first.output and "bad lastActivity" in first.output
    assert "missing recipientPhone" in first.output and "older than 24 h" in first.output
    assert "sales_stats.json: 2 imported, 1 skipped" in first.output
    assert "pending_orders.json: 1 imported, 1 skipped" in first.output and "missing odooOrderId" in first.output
    state = client.get("/api/v1/chat-sessions/5511912345678", headers=tenant.headers).get_json()
    assert state["state"] == {"step": "cart", "cart": [{"sku": "A1", "qty": 2}]}
    figures = stats(client, tenant)
    assert figures["totals"]["orders"] == 40 and figures["totals"]["revenue"] == "1234.50"
    orders = client.get("/api/v1/orders", headers=tenant.headers).get_json()["items"]
    assert [o["external_order_id"] for o in orders] == ["9001"] and orders[0]["total"] == "29.90"
    second = runner.invoke(args=["legacy-import", "--tenant", tenant.slug, str(tmp_path)])
    assert second.exit_code == 0 and "chat_sessions.json: 0 imported" in second.output
    assert "imported already" in second.output
    again = stats(client, tenant)
    assert again["totals"] == figures["totals"]


def test_snapshot_commands(app, client, admin, tmp_path):
    tenant = create_tenant(client, admin)
    client.put("/api/v1/chat-sessions/5511912345678", json={"state": {"a": 1}}, headers=tenant.headers)
    runner = app.test_cli_runner()
    taken = runner.invoke(args=["snapshot", "take"])
    assert taken.exit_code == 0, taken.output
    generation = taken.output.split(":")[0]
    assert generation in runner.invoke(args=["snapshot", "list"]).output
    assert runner.invoke(args=["snapshot", "verify"]).output.strip() == f"{generation}: ok"
    refused = runner.invoke(args=["snapshot", "restore", generation])
    assert refused.exit_code != 0 and "--replace" in refused.output
    client.delete("/api/v1/chat-sessions/5511912345678", headers=tenant.headers)
    restored = runner.invoke(args=["snapshot", "restore", generation, "--replace"])
    assert restored.exit_code == 0, restored.output
    assert client.get("/api/v1/chat-sessions/5511912345678", headers=tenant.headers).get_json()["state"] == {"a": 1}
    listed = client.get("/api/v1/admin/snapshots", headers=admin).get_json()["items"]
    assert listed[0]["generation"] == generation


def test_stats_rebuild_keeps_legacy_figures(app, client, admin, tmp_path):
    tenant = create_tenant(client, admin)
    _write_legacy(tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["legacy-import", "--tenant", tenant.slug, str(tmp_path)]).exit_code == 0
    client.post("/api/v1/orders", headers=tenant.headers, json={
        "external_order_id": "live-1", "recipient_phone": "5511912345678",
        "items": [{"product_type": "camiseta", "quantity": 1, "unit_price": "10.00"}]})
    before = client.get("/api/v1/stats", headers=tenant.headers).get_json()
    rebuilt = runner.invoke(args=["stats", "rebuild", "--tenant", tenant.slug])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert client.get("/api/v1/stats", headers=tenant.headers).get_json() == before
    assert before["totals"]["orders"] == 41


def test_legacy_figures_survive_a_restore_and_a_rebuild(app, client, admin, tmp_path, database_uri):
    tenant = create_tenant(client, admin)
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    _write_legacy(legacy)
    assert app.test_cli_runner().invoke(args=["legacy-import", "--tenant", tenant.slug, str(legacy)]).exit_code == 0
    before = client.get("/api/v1/stats", headers=tenant.headers).get_json()
    assert app.test_cli_runner().invoke(args=["snapshot", "take"]).exit_code == 0
    # A new host: an empty database, the same snapshots directory.
    base, _, query = database_uri.partition("?")
    fresh = create_app({**app.config, "MONGODB_URI": f"{base}_moved" + (f"?{query}" if query else "")})
    runner, fresh_client = fresh.test_cli_runner(), fresh.test_client()
    assert runner.invoke(args=["snapshot", "restore"]).exit_code == 0
    assert runner.invoke(args=["stats", "rebuild", "--tenant", tenant.slug]).exit_code == 0
    assert fresh_client.get("/api/v1/stats", headers=tenant.headers).get_json() == before
    again = runner.invoke(args=["legacy-import", "--tenant", tenant.slug, str(legacy)])
    assert "imported already" in again.output  # the import ledger came back too


def test_snapshot_take_exit_status_tells_busy_and_disk_full_apart(app, monkeypatch):
    """The service reads these exit statuses: skip the turn (busy), 507 (disk full)."""
    import errno
    import fcntl
    import os

    from services.operations import snapshots
    runner = app.test_cli_runner()
    root = snapshots.snapshots_dir(app.config["DATA_DIR"])
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        busy = runner.invoke(args=["snapshot", "take", "--trigger", "scheduled"])
    assert busy.exit_code == snapshots.BUSY_EXIT, busy.output

    def failing_with(code):
        def write_records(*_args):
            raise OSError(code, os.strerror(code))
        return write_records

    monkeypatch.setattr(snapshots, "write_records", failing_with(errno.ENOSPC))
    full = runner.invoke(args=["snapshot", "take"])
    assert full.exit_code == snapshots.DISK_FULL_EXIT and "No space" in full.output, full.output
    monkeypatch.setattr(snapshots, "write_records", failing_with(errno.EIO))
    assert runner.invoke(args=["snapshot", "take"]).exit_code == 1


def _techaura_stats(day_orders: int, all_time_orders: int) -> dict:
    """sales_stats.json as the TechAura bot's statsPersistence.ts writes it."""
    today = time.strftime("%Y-%m-%d", time.gmtime())
    return {"daily": [{"date": today, "totalOrders": day_orders, "completedOrders": 1, "totalRevenue": 59.9,
                       "productTypes": {}}],
            "totals": {"allTimeOrders": all_time_orders, "allTimeRevenue": 1234.5, "allTimeCompleted": 30}}


def _trial_and_final_copies(tmp_path):
    """Two copies of the bot's sales_stats.json, the final one a sale later."""
    trial, final = tmp_path / "trial", tmp_path / "final"
    for directory, figures in ((trial, (3, 40)), (final, (4, 41))):
        directory.mkdir()
        (directory / "sales_stats.json").write_text(json.dumps(_techaura_stats(*figures)))
    return trial, final


def _import(app, tenant, directory):
    result = app.test_cli_runner().invoke(args=["legacy-import", "--tenant", tenant.slug, str(directory)])
    assert result.exit_code == 0, result.output
    return result.output


def test_techaura_files_import_with_their_own_field_names(app, client, admin, tmp_path):
    """The real bot's files: allTime* totals, totalRevenue, and one product per order at
    the top level (productType, capacity; no items, no price)."""
    tenant = create_tenant(client, admin)
    (tmp_path / "sales_stats.json").write_text(json.dumps(_techaura_stats(3, 40)))
    (tmp_path / "pending_orders.json").write_text(json.dumps([
        {"odooOrderId": 77, "recipientPhone": "573001234567", "customerName": "Ana", "orderNumber": "TA-77",
         "productType": "music", "capacity": "32GB", "genres": ["salsa"], "status": "pending",
         "createdAt": "2026-11-29T10:00:00.000Z", "updatedAt": "2026-11-29T10:00:00.000Z"},
        {"odooOrderId": 78, "recipientPhone": "573001234567", "productType": "movies", "total": "NaN"},
    ]))
    output = _import(app, tenant, tmp_path)
    assert "pending_orders.json: 2 imported, 0 skipped" in output
    figures = stats(client, tenant)
    totals = figures["totals"]
    assert (totals["orders"], totals["completed"], totals["revenue"]) == (40, 30, "1234.50")
    assert (figures["daily"][-1]["orders"], figures["daily"][-1]["revenue"]) == (3, "59.90")
    order = next(o for o in client.get("/api/v1/orders", headers=tenant.headers).get_json()["items"]
                 if o["external_order_id"] == "77")
    assert [(i["product_type"], i["name"]) for i in order["items"]] == [("music", "32GB")]
    completed = client.post(f"/api/v1/orders/{order['id']}/complete", json={"revenue": "89.90"},
                            headers=tenant.headers)
    assert completed.status_code == 200, completed.get_data(as_text=True)
    after = client.get("/api/v1/stats", headers=tenant.headers).get_json()
    assert (after["totals"]["completed"], after["totals"]["revenue"]) == (31, "1324.40")
    assert after["totals"]["by_product_type"]["music"]["revenue"] == "89.90"
    assert app.test_cli_runner().invoke(args=["stats", "rebuild", "--tenant", tenant.slug]).exit_code == 0
    assert client.get("/api/v1/stats", headers=tenant.headers).get_json() == after  # the completion is kept


def test_a_newer_copy_of_the_stats_file_replaces_the_earlier_figures(app, client, admin, tmp_path):
    """The bot rewrites the file on every order: a trial import, then the final one,
    count every sale once; the earlier copy again changes nothing."""
    tenant = create_tenant(client, admin)
    trial, final = _trial_and_final_copies(tmp_path)
    _import(app, tenant, trial)
    assert "replaces the figures of the sales_stats.json imported at" in _import(app, tenant, final)
    body = stats(client, tenant)
    assert (body["totals"]["orders"], body["daily"][-1]["orders"]) == (41, 4)
    assert "imported already" in _import(app, tenant, trial)
    assert stats(client, tenant) == body
    assert app.test_cli_runner().invoke(args=["stats", "rebuild", "--tenant", tenant.slug]).exit_code == 0
    assert stats(client, tenant) == body


def test_a_stats_import_cut_off_before_its_figures_were_added_is_finished_by_a_rerun(
        app, client, admin, tmp_path, counters_fail_at):
    tenant = create_tenant(client, admin)
    (tmp_path / "sales_stats.json").write_text(json.dumps(_techaura_stats(3, 40)))
    restore = counters_fail_at(1)
    assert app.test_cli_runner().invoke(args=["legacy-import", "--tenant", tenant.slug, str(tmp_path)]).exit_code
    restore()
    assert "sales_stats.json: 2 imported" in _import(app, tenant, tmp_path)
    assert "imported already" in _import(app, tenant, tmp_path)
    assert stats_totals(client, tenant) == (40, 30)


@pytest.mark.parametrize("failing_write", [1, 2], ids=["day", "totals"])
def test_a_newer_copy_cut_off_mid_import_is_finished_once_by_a_rerun(
        app, client, admin, tmp_path, counters_fail_at, failing_write):
    """Trial import, then the final copy cut off at its first or second statistics
    write: the rerun adds what is left, once."""
    tenant = create_tenant(client, admin)
    trial, final = _trial_and_final_copies(tmp_path)
    _import(app, tenant, trial)
    restore = counters_fail_at(failing_write)
    assert app.test_cli_runner().invoke(args=["legacy-import", "--tenant", tenant.slug, str(final)]).exit_code
    restore()
    _import(app, tenant, final)
    body = stats(client, tenant)
    assert (body["totals"]["orders"], body["totals"]["completed"], body["daily"][-1]["orders"]) == (41, 30, 4)
    assert "imported already" in _import(app, tenant, final)
    assert stats(client, tenant) == body


def test_product_counts_that_are_no_counts_are_taken_as_zero(app, client, admin, tmp_path):
    """A word, a negative number or a boolean where a product type's count belongs:
    counted as 0 (a word used to stop the import with a ValueError)."""
    tenant = create_tenant(client, admin)
    file = _techaura_stats(3, 40)
    file["totals"]["productTypes"] = {"camiseta": {"orders": "many", "completed": 2}, "caneca": -3, "bone": True}
    (tmp_path / "sales_stats.json").write_text(json.dumps(file))
    assert "sales_stats.json: 2 imported" in _import(app, tenant, tmp_path)
    by_type = stats(client, tenant)["totals"]["by_product_type"]
    # Only camiseta's completed count is one (zeros add nothing, so the others are absent).
    assert {name: (values["orders"], values["completed"]) for name, values in by_type.items()} == {"camiseta": (0, 2)}


def stats_totals(client, tenant) -> tuple:
    totals = stats(client, tenant)["totals"]
    return totals["orders"], totals["completed"]



def test_numbers_in_other_forms_are_skipped_not_a_crash(app, client, admin, tmp_path):
    """Amounts as text are ASCII digits only: Decimal("1e999999") overflowed when scaled
    to hundredths (decimal.Overflow stopped the import) and Decimal() read Arabic-Indic
    digits as a number; a lastActivity of Infinity (json.loads takes it) made int() raise."""
    tenant = create_tenant(client, admin)
    file = _techaura_stats(3, 40)
    file["totals"]["allTimeRevenue"] = "1e999999"
    file["daily"][0]["totalRevenue"] = "\u0665\u0669.\u0669\u0660"  # 59.90 in Arabic-Indic digits
    (tmp_path / "sales_stats.json").write_text(json.dumps(file))
    (tmp_path / "chat_sessions.json").write_text(
        '[{"recipientPhone": "5511912345678", "lastActivity": Infinity, "step": "menu"}]')
    output = _import(app, tenant, tmp_path)
    assert "sales_stats.json: 2 imported" in output and "bad lastActivity" in output, output
    body = stats(client, tenant)
    assert body["totals"]["revenue"] == "0.00" and body["totals"]["orders"] == 40
    assert body["daily"][-1]["revenue"] == "0.00" and body["daily"][-1]["orders"] == 3
