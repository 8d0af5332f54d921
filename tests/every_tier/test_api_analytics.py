"""Analytics through the HTTP API, on every tier: figures of a small dataset computed by
hand (a São Paulo day boundary, late and lower statuses, failures, played, two
sessions), the rollups' invalidation, and bad input."""
import pytest

from models.analytics import AnalyticsDay
from models.collections import scoped
from models.tenancy import tenant_scope
from services.tenancy import tenants
from tests.conftest import assert_problem

BOT, A, B, C = "5511987654321", "5511900000001", "5511900000002", "5511900000003"
APPROX = {"rel": 0.05}


def send(client, tenant, clock, at: str, direction: str, contact: str, session: str = "s1", **extra) -> str:
    clock.set(at)
    ends = {"from": contact, "to": BOT} if direction == "in" else {"from": BOT, "to": contact}
    body = {"session_id": session, "direction": direction, "text": "oi", **ends, **extra}
    response = client.post("/api/v1/messages", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def status(client, tenant, message_id: str, value: str, at: str, **extra) -> None:
    response = client.patch(f"/api/v1/messages/{message_id}", json={"status": value, "at": at, **extra},
                            headers=tenant.headers)
    assert response.status_code == 200, response.get_json()


def analytics(client, tenant, kind: str, query: str = "") -> dict:
    response = client.get(f"/api/v1/analytics/{kind}{query}", headers=tenant.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def approx(value):
    return None if value is None else pytest.approx(value, **APPROX)


@pytest.fixture
def sao_paulo(client, admin, tenant):
    response = client.patch(f"/api/v1/admin/tenants/{tenant.slug}", json={"timezone": "America/Sao_Paulo"},
                            headers=admin)
    assert response.status_code == 200
    return tenant


def load_dataset(client, tenant, clock) -> dict:
    """Two local days in São Paulo (UTC-3): the 21st and the 22nd of November 2026."""
    ids = {}
    send(client, tenant, clock, "2026-11-21T13:00:00Z", "in", A)  # opens A's conversation: wait from here
    send(client, tenant, clock, "2026-11-21T13:00:30Z", "in", A)  # still waiting
    ids[3] = send(client, tenant, clock, "2026-11-21T13:02:00Z", "out", A)  # answers: 120 s
    status(client, tenant, ids[3], "sent", "2026-11-21T13:02:00Z")
    status(client, tenant, ids[3], "delivered", "2026-11-21T13:02:10Z")  # 10 s
    status(client, tenant, ids[3], "read", "2026-11-21T13:05:00Z")  # 180 s
    ids[4] = send(client, tenant, clock, "2026-11-22T02:30:00Z", "out", B, "s2")  # 23:30 on the 21st local
    status(client, tenant, ids[4], "sent", "2026-11-22T02:30:00Z")
    status(client, tenant, ids[4], "delivered", "2026-11-22T02:30:20Z")  # 20 s
    send(client, tenant, clock, "2026-11-22T03:30:00Z", "in", B, "s2")  # 00:30 on the 22nd: B's first inbound
    ids[6] = send(client, tenant, clock, "2026-11-22T03:40:00Z", "out", B, "s2")  # answers B: 600 s
    status(client, tenant, ids[6], "failed", "2026-11-22T03:40:05Z", error="131026")
    ids[7] = send(client, tenant, clock, "2026-11-22T10:00:00Z", "out", C)  # nobody waiting: no response time
    status(client, tenant, ids[7], "played", "2026-11-22T10:01:40Z")  # read: 100 s, no sent time
    status(client, tenant, ids[7], "delivered", "2026-11-22T10:01:00Z")  # late, lower: delivered after 60 s
    send(client, tenant, clock, "2026-11-22T11:00:00Z", "in", A)  # A again, never answered
    clock.set("2026-11-22T12:00:00Z")
    status(client, tenant, ids[4], "read", "2026-11-22T12:00:00Z")  # late: counts on the 21st, 34200 s
    return ids


def delivery(outbound, sent, delivered, read, failed, ttd, ttr):
    rate = (lambda n: round(n / outbound, 4)) if outbound else (lambda n: None)
    return {"outbound": outbound, "sent": sent, "delivered": delivered, "read": read, "failed": failed,
            "delivery_rate": rate(delivered), "read_rate": rate(read), "failure_rate": rate(failed),
            "time_to_deliver_p50_s": approx(ttd[0]), "time_to_deliver_p90_s": approx(ttd[1]),
            "time_to_read_p50_s": approx(ttr[0]), "time_to_read_p90_s": approx(ttr[1])}


def conversations(inbound, outbound, active, new, response):
    return {"inbound": inbound, "outbound": outbound, "active_contacts": active, "new_contacts": new,
            "response_p50_s": approx(response[0]), "response_p90_s": approx(response[1])}


NONE = (None, None)


def test_delivery_figures_by_local_day(client, sao_paulo, frozen_clock):
    load_dataset(client, sao_paulo, frozen_clock)
    report = analytics(client, sao_paulo, "delivery", "?from=2026-11-20&to=2026-11-23")
    assert (report["from"], report["to"], report["timezone"]) == ("2026-11-20", "2026-11-23", "America/Sao_Paulo")
    assert report["daily"] == [
        {"date": "2026-11-20", **delivery(0, 0, 0, 0, 0, NONE, NONE)},
        {"date": "2026-11-21", **delivery(2, 2, 2, 2, 0, (10, 20), (180, 34200))},
        {"date": "2026-11-22", **delivery(2, 1, 1, 1, 1, (60, 60), (100, 100))},
        {"date": "2026-11-23", **delivery(0, 0, 0, 0, 0, NONE, NONE)}]
    assert report["totals"] == delivery(4, 3, 3, 3, 1, (20, 60), (180, 34200))
    s2 = analytics(client, sao_paulo, "delivery", "?from=2026-11-21&to=2026-11-22&session_id=s2")
    assert s2["daily"] == [{"date": "2026-11-21", **delivery(1, 1, 1, 1, 0, (20, 20), (34200, 34200))},
                           {"date": "2026-11-22", **delivery(1, 0, 0, 0, 1, NONE, NONE)}]


def test_conversation_figures_by_local_day(client, sao_paulo, frozen_clock):
    load_dataset(client, sao_paulo, frozen_clock)
    report = analytics(client, sao_paulo, "conversations", "?from=2026-11-21&to=2026-11-22")
    assert report["daily"] == [{"date": "2026-11-21", **conversations(2, 2, 1, 1, (120, 120))},
                               {"date": "2026-11-22", **conversations(2, 2, 2, 1, (600, 600))}]
    assert report["totals"] == conversations(4, 4, 3, 2, (120, 600))
    s1 = analytics(client, sao_paulo, "conversations", "?from=2026-11-21&to=2026-11-22&session_id=s1")
    assert [day["inbound"] for day in s1["daily"]] == [2, 1]
    assert s1["totals"] == conversations(3, 2, 2, 1, (120, 120))
    assert analytics(client, sao_paulo, "conversations", "?session_id=nope")["totals"] == conversations(
        0, 0, 0, 0, NONE)


def test_days_follow_the_time_zone_and_default_to_the_last_30(client, admin, sao_paulo, frozen_clock):
    load_dataset(client, sao_paulo, frozen_clock)
    assert [d["outbound"] for d in analytics(client, sao_paulo, "delivery")["daily"][-2:]] == [2, 2]
    client.patch(f"/api/v1/admin/tenants/{sao_paulo.slug}", json={"timezone": "UTC"}, headers=admin)
    report = analytics(client, sao_paulo, "delivery")
    assert (len(report["daily"]), report["to"], report["timezone"]) == (30, "2026-11-22", "UTC")
    assert [d["outbound"] for d in report["daily"][-2:]] == [1, 3]  # 02:30Z is the 22nd in UTC


def test_a_late_status_recomputes_its_day_only(client, tenant, frozen_clock):
    first = send(client, tenant, frozen_clock, "2026-11-20T10:00:00Z", "out", A)
    send(client, tenant, frozen_clock, "2026-11-21T10:00:00Z", "out", B)
    frozen_clock.set("2026-11-23T10:00:00Z")
    query = "?from=2026-11-20&to=2026-11-23"
    assert [d["read"] for d in analytics(client, tenant, "delivery", query)["daily"]] == [0, 0, 0, 0]
    revs = rollup_revs(client, tenant)
    assert analytics(client, tenant, "delivery", query)["daily"][0]["read"] == 0
    assert rollup_revs(client, tenant) == revs  # nothing changed: nothing recomputed
    status(client, tenant, first, "read", "2026-11-23T09:00:00Z")
    daily = analytics(client, tenant, "delivery", query)["daily"]
    assert [d["read"] for d in daily] == [1, 0, 0, 0]
    assert daily[0]["time_to_read_p50_s"] == approx(3 * 24 * 3600 - 3600)
    after = rollup_revs(client, tenant)
    assert after["2026-11-20"] != revs["2026-11-20"]
    assert {d: r for d, r in after.items() if d != "2026-11-20"} == {d: r for d, r in revs.items()
                                                                      if d != "2026-11-20"}


def rollup_revs(client, tenant) -> dict:
    with client.application.app_context():
        with tenant_scope(tenants.get_tenant(tenant.slug).id):
            return {doc["day"]: doc["rev"] for doc in scoped(AnalyticsDay).find({})}


def test_only_the_tenants_own_messages_count(client, tenant, other_tenant, frozen_clock):
    send(client, other_tenant, frozen_clock, "2026-11-22T10:00:00Z", "out", A)
    assert analytics(client, tenant, "delivery")["totals"]["outbound"] == 0
    assert analytics(client, other_tenant, "delivery")["totals"]["outbound"] == 1


@pytest.mark.parametrize("query, field", [
    ("?from=2026-11-22&to=2026-11-21", "from"),
    ("?from=2025-11-21&to=2026-11-22", "from"),  # 367 days
    ("?from=2026-13-01", "from"), ("?to=22/11/2026", "to"), ("?from=2026-11-2", "from"),
    ("?session_id=bad%20id", "session_id")])
def test_bad_input_is_422_naming_the_field(client, tenant, query, field):
    for kind in ("delivery", "conversations"):
        assert_problem(client.get(f"/api/v1/analytics/{kind}{query}", headers=tenant.headers), 422, field)


def test_a_range_of_366_days_is_fine_and_the_key_is_needed(client, tenant):
    assert len(analytics(client, tenant, "delivery", "?from=2025-11-22&to=2026-11-22")["daily"]) == 366
    assert client.get("/api/v1/analytics/delivery").status_code == 401


def test_the_first_days_of_the_calendar_answer(client, tenant):
    assert analytics(client, tenant, "delivery", "?to=0001-01-03")["from"] == "0001-01-01"


def test_a_held_message_counts_once_it_is_released(client, tenant, frozen_clock):
    from tests.every_tier.test_held_messages import _without_sender
    from tests.webhook_helpers import send as webhook
    frozen_clock.set("2026-11-22T10:00:00Z")
    assert webhook(client, "evolution", tenant, _without_sender("messages_upsert_text_inbound")).get_json()["held"] == 1
    frozen_clock.set("2026-11-22T10:01:00Z")
    assert analytics(client, tenant, "conversations")["totals"]["inbound"] == 0  # held: not shown, not counted
    frozen_clock.set("2026-11-22T10:02:00Z")
    assert webhook(client, "evolution", tenant, "connection_update_open").status_code == 200  # releases it
    frozen_clock.set("2026-11-22T10:03:00Z")
    assert analytics(client, tenant, "conversations")["totals"]["inbound"] == 1


def test_rollups_name_no_contact_and_an_erasure_leaves_computed_days_as_they_were(client, sao_paulo, frozen_clock):
    load_dataset(client, sao_paulo, frozen_clock)
    query = "?from=2026-11-21&to=2026-11-22"
    frozen_clock.set("2026-11-22T12:00:05Z")  # past the settle window of the last status: the days are settled
    before = {kind: analytics(client, sao_paulo, kind, query) for kind in ("delivery", "conversations")}
    stored = repr(rollups(client, sao_paulo))
    assert "2026-11-21" in stored and not [phone for phone in (A, B, C, BOT) if phone in stored]
    frozen_clock.set("2026-11-22T12:10:00Z")
    erased = client.delete(f"/api/v1/contacts/{A}", headers=sao_paulo.headers)
    assert erased.status_code == 200 and erased.get_json()["erased"]["messages"] == 4
    frozen_clock.set("2026-11-22T12:20:00Z")
    assert {kind: analytics(client, sao_paulo, kind, query) for kind in before} == before  # statistics stay
    send(client, sao_paulo, frozen_clock, "2026-11-22T12:30:00Z", "out", B, "s2")  # the 22nd changes:
    frozen_clock.set("2026-11-22T12:40:00Z")  # computed again, it counts what is left (A's messages are gone)
    after = analytics(client, sao_paulo, "conversations", query)["daily"]
    assert after[0] == before["conversations"]["daily"][0]
    assert (after[1]["inbound"], after[1]["outbound"], after[1]["active_contacts"]) == (1, 3, 1)
    assert client.get(f"/api/v1/conversations/{A}/{BOT}", headers=sao_paulo.headers).status_code == 404


def rollups(client, tenant) -> list:
    with client.application.app_context():
        with tenant_scope(tenants.get_tenant(tenant.slug).id):
            return list(scoped(AnalyticsDay).find({}))
