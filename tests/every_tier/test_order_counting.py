"""An order event cut off while being counted (a database hiccup answered 503, a
crash) is finished by the hourly upkeep, from the step it stopped at: counted once."""
import pytest

from services.commerce import order_counting
from services.operations.upkeep import run_upkeep
from tests.conftest import assert_problem
from tests.every_tier.test_api_orders import act, create, item, order, stats

LATER_MS = order_counting.GRACE_MS + 1


def _figures(client, tenant) -> tuple:
    body = stats(client, tenant)
    today = body["daily"][-1]
    return (body["totals"]["orders"], body["totals"]["completed"], body["totals"]["revenue"],
            today["orders"], today["completed"], today["revenue"])


def _upkeep(app, frozen, after_ms: int) -> None:
    frozen.ms += after_ms
    with app.app_context():
        run_upkeep(app.config)


@pytest.mark.parametrize("failing_write", [1, 2], ids=["totals", "day"])
def test_a_creation_cut_off_mid_count_is_finished_once_by_the_upkeep(
        app, client, tenant, morning_clock, counters_fail_at, failing_write):
    restore = counters_fail_at(failing_write)
    assert_problem(create(client, tenant, order("SO-cut", item(unit_price="10.00"))), 503)
    restore()
    assert create(client, tenant, order("SO-cut", item(unit_price="10.00"))).status_code == 200  # the retry
    _upkeep(app, morning_clock, 1_000)  # within the grace: the request might still be counting
    assert _figures(client, tenant)[0] == int(failing_write == 2)
    _upkeep(app, morning_clock, LATER_MS)
    assert _figures(client, tenant) == (1, 0, "0.00", 1, 0, "0.00")
    _upkeep(app, morning_clock, LATER_MS)
    assert _figures(client, tenant) == (1, 0, "0.00", 1, 0, "0.00")


def test_a_completion_cut_off_mid_count_is_finished_once_and_a_rebuild_does_not_add_it_again(
        app, client, tenant, morning_clock, counters_fail_at):
    order_id = create(client, tenant, order("SO-done", item(unit_price="25.00"))).get_json()["id"]
    restore = counters_fail_at(2)
    assert_problem(act(client, tenant, order_id, "complete"), 503)
    restore()
    assert act(client, tenant, order_id, "complete").status_code == 200  # already completed: counts nothing
    assert _figures(client, tenant) == (1, 1, "25.00", 1, 0, "0.00")  # the day is short...
    _upkeep(app, morning_clock, LATER_MS)
    assert _figures(client, tenant) == (1, 1, "25.00", 1, 1, "25.00")  # ...until the upkeep
    restore = counters_fail_at(1)  # a creation left uncounted when the rebuild runs
    assert_problem(create(client, tenant, order("SO-gone")), 503)
    restore()
    cancelled = create(client, tenant, order("SO-gone")).get_json()["id"]
    assert act(client, tenant, cancelled, "cancel").status_code == 200
    assert app.test_cli_runner().invoke(args=["stats", "rebuild", "--tenant", tenant.slug]).exit_code == 0
    rebuilt = _figures(client, tenant)
    _upkeep(app, morning_clock, LATER_MS)
    assert _figures(client, tenant) == rebuilt == (2, 1, "25.00", 2, 1, "25.00")


def test_an_order_stored_before_marks_existed_is_counted_and_left_clear(app, client, tenant):
    from models.collections import GlobalCollection
    from models.order import Order
    order_id = create(client, tenant, order("SO-old")).get_json()["id"]
    with app.app_context():  # as stored before: no marks at all
        old = {k: v for k, v in next(GlobalCollection(Order).find({"_id": order_id})).items()
               if k not in ("uncounted", "uncounted_at")}
        GlobalCollection(Order).replace_one({"_id": order_id}, old)
    assert act(client, tenant, order_id, "complete").status_code == 200
    with app.app_context():
        stored = next(GlobalCollection(Order).find({"_id": order_id}))
    assert stored["uncounted_at"] == 0 and stored["uncounted"] == {"created": 0, "completed": 0, "cancelled": 0}
    assert _figures(client, tenant)[:2] == (1, 1)

