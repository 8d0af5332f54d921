"""GET /api/v1/events: oldest first, settled, a cursor that never skips or repeats."""
from services.events import event_log
from tests.conftest import assert_problem
from tests.webhook_helpers import BOT, CUSTOMER

MESSAGE = {"session_id": "s1", "from": CUSTOMER, "to": BOT, "direction": "in", "text": "oi"}


def feed(client, tenant, **params):
    response = client.get("/api/v1/events", query_string=params, headers=tenant.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_events_show_once_settled_in_cloudevents_form_and_a_cursor_follows_them(client, tenant, frozen_clock):
    message = client.post("/api/v1/messages", json={**MESSAGE, "external_id": "e1"}, headers=tenant.headers).get_json()
    first = feed(client, tenant)
    assert first["items"] == [] and first["next_cursor"]  # a write may still commit an older event
    frozen_clock.ms += event_log.settle_ms() + 1
    page = feed(client, tenant, after=first["next_cursor"])
    assert [e["type"] for e in page["items"]] == ["message.created"]
    event = page["items"][0]
    assert event == {"specversion": "1.0", "id": event["id"], "source": f"/tenants/{tenant.slug}",
                     "type": "message.created", "time": message["created_at"],
                     "subject": message["conversation_id"], "datacontenttype": "application/json",
                     "data": message}
    again = feed(client, tenant, after=page["next_cursor"])
    assert again == {"items": [], "next_cursor": page["next_cursor"]}
    frozen_clock.ms += 5
    client.patch(f"/api/v1/messages/{message['id']}", json={"status": "read"}, headers=tenant.headers)
    frozen_clock.ms += event_log.settle_ms() + 1
    later = feed(client, tenant, after=page["next_cursor"])
    assert [(e["type"], e["data"]["status"]) for e in later["items"]] == [("message.status_changed", "read")]


def test_pages_by_limit_and_filters_by_type(client, tenant, frozen_clock):
    for n in range(5):
        frozen_clock.ms += 1
        client.post("/api/v1/messages", json={**MESSAGE, "external_id": f"p{n}"}, headers=tenant.headers)
    frozen_clock.ms += 1
    client.put("/api/v1/sessions/s1", json={"status": "open"}, headers=tenant.headers)
    frozen_clock.ms += event_log.settle_ms() + 1
    seen, cursor = [], None
    for _page in range(4):
        page = feed(client, tenant, limit=2, **({"after": cursor} if cursor else {}))
        seen += [e["data"].get("external_id", e["type"]) for e in page["items"]]
        cursor = page["next_cursor"]
    assert seen == ["p0", "p1", "p2", "p3", "p4", "session.status_changed"]
    sessions = feed(client, tenant, type=["session.status_changed", "order.created"])
    assert [e["subject"] for e in sessions["items"]] == ["s1"]


def test_bad_input_is_422_and_another_tenants_cursor_gives_no_hint(client, tenant, other_tenant, frozen_clock):
    assert_problem(client.get("/api/v1/events?type=message.deleted", headers=tenant.headers), 422, "type")
    malformed = assert_problem(client.get("/api/v1/events?after=not-a-cursor", headers=tenant.headers), 422, "after")
    assert_problem(client.get("/api/v1/events?limit=0", headers=tenant.headers), 422, "limit")
    client.post("/api/v1/messages", json={**MESSAGE, "external_id": "x"}, headers=other_tenant.headers)
    frozen_clock.ms += event_log.settle_ms() + 1
    theirs = feed(client, other_tenant)["next_cursor"]
    foreign = assert_problem(client.get("/api/v1/events", query_string={"after": theirs}, headers=tenant.headers),
                             422, "after")
    assert {**foreign, "request_id": None} == {**malformed, "request_id": None}  # each request has its own id
    assert feed(client, tenant)["items"] == []  # and none of theirs, from the start
    assert client.get("/api/v1/events").status_code == 401


def test_a_group_message_has_the_groups_chat_id_as_its_subject(client, tenant, frozen_clock):
    group = "120363025246125486@g.us"
    client.post("/api/v1/messages", json={**MESSAGE, "from": group, "external_id": "g1"}, headers=tenant.headers)
    frozen_clock.ms += event_log.settle_ms() + 1
    assert [e["subject"] for e in feed(client, tenant)["items"]] == [group]
