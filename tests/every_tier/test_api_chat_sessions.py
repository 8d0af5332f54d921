"""Chat sessions (bot state per end user) through the HTTP API, run on every tier."""
from datetime import datetime, timedelta, timezone

import pytest

from models.chat_session import ChatSession
from models.collections import scoped
from models.tenancy import tenant_scope
from services.commerce import chat_sessions
from services.tenancy import tenants
from tests.conftest import assert_problem

USER = "5511912345678"
URL = f"/api/v1/chat-sessions/{USER}"
STATE = {"flow": "checkout", "step": 2, "cart": [{"sku": "TSHIRT-M", "qty": 1, "price": "49.90"}],
         "dotted.key": True, "$dollar": None, "nested": {"deep": [[1, 2], {"x": "ação ✅"}]},
         "big": 2 ** 70, "ratio": 0.1, "empty": {}}


def iso_ago(**delta) -> str:
    """A UTC time that long ago, in the contract's form (milliseconds, Z)."""
    moment = datetime.now(timezone.utc) - timedelta(**delta)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def put(client, tenant, body, phone=USER):
    return client.put(f"/api/v1/chat-sessions/{phone}", json=body, headers=tenant.headers)


def listed(client, tenant, query="include_total=true"):
    return client.get(f"/api/v1/chat-sessions?{query}", headers=tenant.headers).get_json()


def test_state_round_trips_exactly_and_put_replaces_it(client, tenant):
    created = put(client, tenant, {"state": STATE}, phone="+55 (11) 91234-5678")
    assert created.status_code == 201
    first = created.get_json()
    assert first["phone"] == USER and first["state"] == STATE
    assert first["created_at"] == first["updated_at"] == first["last_activity"]
    assert client.get(URL, headers=tenant.headers).get_json() == first
    replaced = put(client, tenant, {"state": {"flow": "menu"}}, phone=f"{USER}@s.whatsapp.net")
    assert replaced.status_code == 200
    second = replaced.get_json()
    assert second["state"] == {"flow": "menu"} and second["created_at"] == first["created_at"]
    assert second["last_activity"] >= first["last_activity"]
    assert listed(client, tenant)["total"] == 1


def test_last_activity_is_kept_exactly_as_given_and_reads_never_touch_it(client, tenant):
    given = iso_ago(hours=3)
    saved = put(client, tenant, {"state": {"step": 1}, "last_activity": given}).get_json()
    assert saved["last_activity"] == given
    expires = datetime.fromisoformat(given.replace("Z", "+00:00")) + timedelta(hours=24)
    assert saved["expires_at"] == expires.strftime("%Y-%m-%dT%H:%M:%S.") + given[-4:]
    for _ in range(2):
        assert client.get(URL, headers=tenant.headers).get_json() == saved
        assert listed(client, tenant)["items"] == [saved]
    offset = put(client, tenant, {"state": {}, "last_activity": "2026-11-22T07:15:30.123-03:00"},
                 phone="14155550123").get_json()
    assert offset["last_activity"] == "2026-11-22T10:15:30.123Z"


def test_omitted_last_activity_becomes_now(client, tenant):
    before = iso_ago(seconds=1)
    saved = put(client, tenant, {"state": {"a": 1}, "last_activity": iso_ago(hours=5)}).get_json()
    touched = put(client, tenant, {"state": {"a": 2}}).get_json()
    assert touched["last_activity"] > before > saved["last_activity"]
    assert touched["last_activity"] <= iso_ago(seconds=-1)


def test_expired_sessions_are_invisible_to_every_read(client, tenant):
    put(client, tenant, {"state": {"old": True}, "last_activity": iso_ago(hours=25)})
    put(client, tenant, {"state": {"fresh": True}}, phone="14155550123")
    assert_problem(client.get(URL, headers=tenant.headers), 404)
    page = listed(client, tenant)
    assert page["total"] == 1 and [s["phone"] for s in page["items"]] == ["14155550123"]
    assert_problem(client.delete(URL, headers=tenant.headers), 404)
    again = put(client, tenant, {"state": {"new": True}})
    assert again.status_code == 201  # the expired leftover is replaced as a new session
    assert again.get_json()["created_at"] > iso_ago(minutes=1)
    assert client.get(URL, headers=tenant.headers).get_json()["state"] == {"new": True}


def test_a_tenant_ttl_change_applies_at_once(client, tenant, admin):
    put(client, tenant, {"state": {"s": 1}, "last_activity": iso_ago(minutes=90)})
    settings = f"/api/v1/admin/tenants/{tenant.slug}"
    assert client.patch(settings, json={"chat_session_ttl_hours": 1}, headers=admin).status_code == 200
    assert_problem(client.get(URL, headers=tenant.headers), 404)
    assert listed(client, tenant)["total"] == 0
    assert client.patch(settings, json={"chat_session_ttl_hours": 2}, headers=admin).status_code == 200
    session = client.get(URL, headers=tenant.headers).get_json()
    last = datetime.fromisoformat(session["last_activity"].replace("Z", "+00:00"))
    assert datetime.fromisoformat(session["expires_at"].replace("Z", "+00:00")) - last == timedelta(hours=2)
    assert listed(client, tenant)["total"] == 1


def test_cleanup_removes_only_expired_sessions(client, tenant, app):
    put(client, tenant, {"state": {"old": 1}, "last_activity": iso_ago(hours=30)})
    put(client, tenant, {"state": {"new": 1}, "last_activity": iso_ago(hours=20)}, phone="14155550123")
    with app.app_context(), tenant_scope(tenants.get_tenant(tenant.slug).id):
        assert scoped(ChatSession).count({}) == 2
        assert chat_sessions.delete_expired(24) == 1
        assert chat_sessions.delete_expired(24) == 0
        assert [doc["phone"] for doc in scoped(ChatSession).find({})] == ["14155550123"]
    assert listed(client, tenant)["total"] == 1


def test_list_pages_by_phone_without_repeats(client, tenant):
    phones = [f"1415555{n:04d}" for n in range(7)]
    for phone in reversed(phones):
        put(client, tenant, {"state": {"p": phone}}, phone=phone)
    seen, cursor = [], None
    while True:
        page = listed(client, tenant, "limit=3" + (f"&cursor={cursor}" if cursor else ""))
        seen += [item["phone"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == phones


def test_delete_forgets_the_session(client, tenant):
    put(client, tenant, {"state": {"x": 1}})
    assert client.delete(f"/api/v1/chat-sessions/+{USER}", headers=tenant.headers).status_code == 204
    assert_problem(client.get(URL, headers=tenant.headers), 404)
    assert_problem(client.delete(URL, headers=tenant.headers), 404)


@pytest.mark.parametrize("body,field", [
    ({"state": []}, "state"), ({"state": "text"}, "state"), ({"state": 5}, "state"), ({"state": None}, "state"),
    ({}, "state"), ({"state": {}, "extra": 1}, "extra"),
    ({"state": {}, "last_activity": "yesterday"}, "last_activity"),
    ({"state": {}, "last_activity": 1763778000000}, "last_activity"),
    # Stored, these could not be written back out, or would never expire:
    ({"state": {}, "last_activity": "9999-12-31T23:00:00Z"}, "last_activity"),
    ({"state": {}, "last_activity": "0001-01-01T00:30:00+01:00"}, "last_activity"),
    ({"state": {}, "last_activity": "1969-12-31T23:59:59Z"}, "last_activity"),
    ({"state": {}, "last_activity": "2100-01-01T00:00:00Z"}, "last_activity"),
    ({"state": {"blob": "x" * 65536}}, "state"),
])
def test_bad_input_is_422_naming_the_field_and_writes_nothing(client, tenant, body, field):
    assert_problem(put(client, tenant, body), 422, field)
    assert listed(client, tenant)["total"] == 0


def test_invalid_phone_and_non_json_state(client, tenant):
    for phone in ("12", "not-a-phone", "1234567890123456789"):
        assert_problem(put(client, tenant, {"state": {}}, phone=phone), 422, "phone")
        assert_problem(client.get(f"/api/v1/chat-sessions/{phone}", headers=tenant.headers), 422, "phone")
    nan = client.put(URL, data='{"state": {"x": NaN}}', content_type="application/json", headers=tenant.headers)
    assert nan.status_code in (400, 422) and nan.mimetype == "application/problem+json"
    assert listed(client, tenant)["total"] == 0


def test_state_size_limit_is_configurable(client, tenant, app):
    app.config["CHAT_STATE_MAX_BYTES"] = 20
    assert put(client, tenant, {"state": {"a": "x" * 12}}).status_code == 201  # {"a":"xxxxxxxxxxxx"} = 20 bytes
    body = assert_problem(put(client, tenant, {"state": {"a": "x" * 13}}), 422, "state")
    assert "21 bytes" in str(body["errors"]["state"])
    assert client.get(URL, headers=tenant.headers).get_json()["state"] == {"a": "x" * 12}


def test_another_tenants_session_does_not_exist_for_me(client, tenant, other_tenant):
    put(client, tenant, {"state": {"mine": True}})
    assert_problem(client.get(URL, headers=other_tenant.headers), 404)
    assert_problem(client.delete(URL, headers=other_tenant.headers), 404)
    assert listed(client, other_tenant)["items"] == []
    assert put(client, other_tenant, {"state": {"theirs": True}}).status_code == 201
    assert client.get(URL, headers=tenant.headers).get_json()["state"] == {"mine": True}
