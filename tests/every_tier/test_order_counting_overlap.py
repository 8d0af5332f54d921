"""Counting stays exactly once when counters overlap: two upkeep runs at once (one
still going when the next hour's starts), the upkeep beside `stats rebuild`; and one
tenant whose upkeep fails does not stop the others'."""
import logging
import threading

import pytest
from prometheus_client import REGISTRY

from models.collections import GlobalCollection
from models.order import Order
from models.tenancy import current_tenant_id
from services.commerce import order_counting, sales_stats
from services.operations.upkeep import run_upkeep
from services.tenancy import tenants
from tests.conftest import assert_problem, create_tenant
from tests.every_tier.test_api_orders import create, item, order
from tests.every_tier.test_order_counting import LATER_MS, _figures

ONCE = (1, 0, "0.00", 1, 0, "0.00")


def _cut_off_creation(client, tenant, counters_fail_at, clock) -> None:
    """An order whose creation's count was cut off before the totals, now old enough
    for the upkeep to finish it."""
    restore = counters_fail_at(1)
    assert_problem(create(client, tenant, order("SO-cut", item(unit_price="10.00"))), 503)
    restore()
    clock.ms += LATER_MS


def _during_add_counts(monkeypatch, nth: int, meanwhile):
    """Run `meanwhile` once, just before the nth statistics write that follows; returns
    what puts the real writes back (monkeypatch.undo would unfreeze the clock too)."""
    real, calls = sales_stats.add_counts, []

    def add_counts(day, incs):
        calls.append(day)
        if len(calls) == nth:
            meanwhile()
        return real(day, incs)
    monkeypatch.setattr(sales_stats, "add_counts", add_counts)
    return lambda: monkeypatch.setattr(sales_stats, "add_counts", real)


def _tenant_id(app, slug: str) -> str:
    with app.app_context():
        return tenants.get_tenant(slug).id


@pytest.mark.parametrize("nth_write", [1, 2], ids=["before-totals", "before-day"])
def test_two_overlapping_upkeeps_count_a_leftover_once(
        app, client, tenant, morning_clock, counters_fail_at, monkeypatch, nth_write):
    _cut_off_creation(client, tenant, counters_fail_at, morning_clock)
    second_run = []
    # The second run starts while the first is between reading the order and counting it.
    restore = _during_add_counts(monkeypatch, nth_write, lambda: second_run.append(order_counting.count_leftovers()))
    with app.app_context():
        run_upkeep(app.config)
    restore()
    assert second_run == [0]  # the order was the first run's
    assert _figures(client, tenant) == ONCE
    with app.app_context():  # nothing is left over for a later run either
        run_upkeep(app.config)
    assert _figures(client, tenant) == ONCE


def test_an_upkeep_inside_a_rebuild_counts_nothing_again(
        app, client, tenant, morning_clock, counters_fail_at, monkeypatch):
    _cut_off_creation(client, tenant, counters_fail_at, morning_clock)
    real, upkeeps = sales_stats.oldest_kept_day, []

    def oldest_kept_day(tz, retention_days):  # the rebuild calls it after writing the totals
        if not upkeeps:
            upkeeps.append(order_counting.count_leftovers())
        return real(tz, retention_days)
    monkeypatch.setattr(sales_stats, "oldest_kept_day", oldest_kept_day)
    assert app.test_cli_runner().invoke(args=["stats", "rebuild", "--tenant", tenant.slug]).exit_code == 0
    monkeypatch.setattr(sales_stats, "oldest_kept_day", real)
    assert upkeeps == [0]
    assert _figures(client, tenant) == ONCE
    with app.app_context():
        run_upkeep(app.config)
    assert _figures(client, tenant) == ONCE


def test_a_rebuild_waits_for_an_upkeep_counting_and_counts_once(
        app, client, tenant, morning_clock, counters_fail_at, monkeypatch):
    _cut_off_creation(client, tenant, counters_fail_at, morning_clock)
    upkeep_counting, rebuild_waits_or_ends = threading.Event(), threading.Event()
    real_wait = getattr(order_counting, "wait_for_counters", lambda: None)

    def wait_for_counters():  # the rebuild found the order claimed and waits for it
        rebuild_waits_or_ends.set()
        real_wait()
    monkeypatch.setattr(order_counting, "wait_for_counters", wait_for_counters, raising=False)

    def stall_upkeep():  # inside the upkeep's first statistics write, before its $inc
        upkeep_counting.set()
        assert rebuild_waits_or_ends.wait(60)
    restore = _during_add_counts(monkeypatch, 1, stall_upkeep)

    def upkeep():
        with app.app_context():
            run_upkeep(app.config)
    results = []

    def rebuild():
        results.append(app.test_cli_runner().invoke(args=["stats", "rebuild", "--tenant", tenant.slug]))
        rebuild_waits_or_ends.set()
    upkeep_thread = threading.Thread(target=upkeep)
    upkeep_thread.start()
    assert upkeep_counting.wait(60)
    rebuild_thread = threading.Thread(target=rebuild)
    rebuild_thread.start()
    rebuild_thread.join(120)
    upkeep_thread.join(120)
    restore()
    assert results[0].exit_code == 0, results[0].output
    assert _figures(client, tenant) == ONCE


def test_a_tenant_whose_upkeep_fails_does_not_stop_the_others(
        app, client, admin, morning_clock, counters_fail_at, monkeypatch, caplog):
    failing, fine = create_tenant(client, admin, "aaa-fails"), create_tenant(client, admin, "zzz-fine")
    for each in (failing, fine):
        restore = counters_fail_at(1)
        assert_problem(create(client, each, order("SO-cut", item(unit_price="10.00"))), 503)
        restore()
    morning_clock.ms += LATER_MS
    failing_id, real = _tenant_id(app, failing.slug), order_counting.count_leftovers

    def count_leftovers():
        if current_tenant_id() == failing_id:
            raise RuntimeError("this tenant's data is broken")
        return real()
    monkeypatch.setattr(order_counting, "count_leftovers", count_leftovers)
    failures_before = REGISTRY.get_sample_value("chatkeep_upkeep_failures_total") or 0
    with caplog.at_level(logging.ERROR, logger="services.operations.upkeep"), app.app_context():
        run_upkeep(app.config)
    assert _figures(client, fine) == ONCE
    assert _figures(client, failing)[0] == 0  # its count waits for the next upkeep
    assert REGISTRY.get_sample_value("chatkeep_upkeep_failures_total") == failures_before + 1
    assert any(failing.slug in record.getMessage() for record in caplog.records)
    monkeypatch.setattr(order_counting, "count_leftovers", real)
    with app.app_context():
        run_upkeep(app.config)
    assert _figures(client, failing) == ONCE


def test_a_rebuild_that_cannot_wait_any_longer_changes_nothing_and_says_so(
        app, client, tenant, morning_clock, counters_fail_at, monkeypatch):
    _cut_off_creation(client, tenant, counters_fail_at, morning_clock)
    placed = create(client, tenant, order("SO-live", item(unit_price="5.00"))).get_json()
    with app.app_context():  # an upkeep elsewhere holds the live order, and will for minutes
        GlobalCollection(Order).update_one({"_id": placed["id"]}, {"$set": {
            "uncounted_at": morning_clock.ms, "counting_by": "elsewhere",
            "counting_until": morning_clock.ms + order_counting.CLAIM_MS}})
    monkeypatch.setattr(order_counting, "REBUILD_WAIT_S", 0)
    before = _figures(client, tenant)
    result = app.test_cli_runner().invoke(args=["stats", "rebuild", "--tenant", tenant.slug])
    assert result.exit_code != 0 and "stayed claimed by another counter" in result.output
    assert "nothing was changed" in result.output
    assert _figures(client, tenant) == before == ONCE  # only the live order
    with app.app_context():  # the cut-off order it had claimed is the upkeep's again
        run_upkeep(app.config)
    assert _figures(client, tenant) == (2, 0, "0.00", 2, 0, "0.00")
