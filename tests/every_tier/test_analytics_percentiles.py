"""Percentiles from the rollups' histograms are within 5 % of the exact ones, on a
generated set of a few hundred messages per day over three days (every tier)."""
import math
import random
from datetime import datetime, timezone

import pytest

from models.message import Message
from models.tenancy import tenant_scope
from services import clock
from services.tenancy import tenants

BOT = "5511987654321"
DAY_MS = 24 * 3600 * 1000


def exact(values: list, share: float):
    """Nearest rank: the smallest value with at least `share` of them at or below it."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1] / 1000


def generated(start_ms: int, rng: random.Random) -> tuple[list[dict], dict]:
    """Conversations of an inbound message answered after a log-uniform wait; each answer
    delivered and read after log-uniform delays. Returns (documents, {day index: samples})."""
    documents, samples = [], {}
    for n in range(600):
        day = n % 3
        asked = start_ms + day * DAY_MS + rng.randrange(0, DAY_MS // 2)
        wait, to_deliver = int(10 ** rng.uniform(2, 6.5)), int(10 ** rng.uniform(1, 5))
        to_read = to_deliver + int(10 ** rng.uniform(2, 7))
        customer = f"55119{n:08d}"
        conversation = f"{min(customer, BOT)}:{max(customer, BOT)}"
        answered = asked + wait
        common = {"session_id": "s1", "conversation_id": conversation, "awaiting_message": 0, "type": "text"}
        documents.append({"_id": f"in{n}", **common, "direction": "in", "from": customer, "to": BOT,
                          "created_at": asked, "updated_at": asked, "status_rank": 2,
                          "status_times": {"delivered": asked}})
        documents.append({"_id": f"out{n}", **common, "direction": "out", "from": BOT, "to": customer,
                          "created_at": answered, "updated_at": answered + to_read, "status_rank": 3,
                          "status_times": {"sent": answered, "delivered": answered + to_deliver,
                                           "read": answered + to_read}})
        # Answers after midnight count on the answer's day: keep them in the asking day.
        assert answered < start_ms + (day + 1) * DAY_MS
        for name, value in (("response", wait), ("to_deliver", to_deliver), ("to_read", to_read)):
            samples.setdefault(day, {}).setdefault(name, []).append(value)
    return documents, samples


def test_percentiles_are_within_5_percent(client, tenant, frozen_clock):
    frozen_clock.set("2026-11-24T12:00:00Z")
    start = clock.to_ms(datetime(2026, 11, 20, tzinfo=timezone.utc))  # the tenant's zone is UTC
    documents, samples = generated(start, random.Random(28))
    with client.application.app_context(), tenant_scope(tenants.get_tenant(tenant.slug).id) as tenant_id:
        Message._get_collection().insert_many([{**d, "tenant_id": tenant_id} for d in documents])
    query = "?from=2026-11-20&to=2026-11-22"
    delivery = client.get(f"/api/v1/analytics/delivery{query}", headers=tenant.headers).get_json()
    talks = client.get(f"/api/v1/analytics/conversations{query}", headers=tenant.headers).get_json()
    checked = 0
    for day in range(3):
        for figures, name, field in ((delivery["daily"][day], "to_deliver", "time_to_deliver"),
                                     (delivery["daily"][day], "to_read", "time_to_read"),
                                     (talks["daily"][day], "response", "response")):
            for share, suffix in ((0.5, "p50_s"), (0.9, "p90_s")):
                assert figures[f"{field}_{suffix}"] == pytest.approx(exact(samples[day][name], share), rel=0.05)
                checked += 1
    every = {name: [v for day in samples.values() for v in day[name]] for name in ("to_read", "response")}
    assert delivery["totals"]["time_to_read_p90_s"] == pytest.approx(exact(every["to_read"], 0.9), rel=0.05)
    assert talks["totals"]["response_p50_s"] == pytest.approx(exact(every["response"], 0.5), rel=0.05)
    assert (delivery["totals"]["outbound"], talks["totals"]["new_contacts"], checked) == (600, 600, 18)
