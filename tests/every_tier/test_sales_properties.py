"""Properties of orders and sales statistics at the service level, run on every tier."""
import random

import pytest

from models.collections import scoped
from models.sales_stats import SalesDay, SalesTotal
from models.tenancy import tenant_scope
from services import clock
from services.commerce import orders, sales_rebuild, sales_stats
from services.errors import Conflict

TYPES = ["t-shirt", "mug", "gift card", "Sticker_2", "7"]  # "7": a numeric path segment
START_MS = 1_763_700_000_000  # 2025-11-21T04:40Z
HOUR_MS = 3_600_000


def _stored_stats() -> dict:
    """Every stored statistic of the tenant in scope, as plain comparable data."""
    strip = ("_id", "tenant_id")
    days = {d["date"]: {k: v for k, v in d.items() if k not in strip} for d in scoped(SalesDay).find({})}
    totals = scoped(SalesTotal).find_one({})
    return {"totals": {k: v for k, v in (totals or {}).items() if k not in strip}, "days": days}


def _random_items(rng):
    return [{"product_type": rng.choice(TYPES), "quantity": rng.randint(1, 5),
             "unit_price": rng.choice([0, 1, 10, 33, 1990, rng.randrange(100_000)])}
            for _ in range(rng.randint(1, 4))]


@pytest.mark.parametrize("seed,tz", [(20261122, "America/Sao_Paulo"), (7, "Asia/Kathmandu")])
def test_rebuilt_stats_equal_incremental_ones(app, monkeypatch, seed, tz):
    rng = random.Random(seed)
    now = [START_MS]
    monkeypatch.setattr(clock, "now_ms", lambda: now[0])
    expected = {"orders": 0, "completed": 0, "cancelled": 0, "revenue": 0}
    with app.app_context(), tenant_scope(f"tenant-sales-{seed}"):
        ids = []
        for step in range(140):
            now[0] += rng.randrange(0, 5 * HOUR_MS)  # the mix spans several local days
            action = rng.random()
            if action < 0.45 or not ids:
                placed, created = orders.create_order({
                    "external_order_id": f"ext-{rng.randrange(60)}",  # some repeats
                    "recipient_phone": "5511912345678", "currency": "BRL", "items": _random_items(rng)}, tz)
                if created:
                    ids.append(placed["_id"])
                    expected["orders"] += 1
                continue
            order_id = rng.choice(ids)
            before = orders.get_order(order_id)["status"]
            try:
                if action < 0.8:
                    revenue = rng.choice([None, 0, rng.randrange(50_000)])
                    done = orders.complete_order(order_id, revenue, tz)
                    if before == "pending":
                        expected["completed"] += 1
                        expected["revenue"] += done["revenue"]
                else:
                    orders.cancel_order(order_id, tz)
                    expected["cancelled"] += before == "pending"
            except Conflict:
                assert before != "pending"
        incremental = _stored_stats()
        assert {k: incremental["totals"][k] for k in expected} == expected
        daily = sales_stats.read_stats(tz, 90, None, None)["daily"]
        for name in expected:
            assert sum(day[name] for day in daily) == expected[name]
        by_type = incremental["totals"]["by_product_type"]
        assert sum(figures["revenue"] for figures in by_type.values()) == expected["revenue"]
        assert len(incremental["days"]) >= 5
        sales_rebuild.rebuild_stats(tz, 90)
        assert _stored_stats() == incremental
