"""Messages through the HTTP API, run on every tier."""
import time

import pytest

from tests.conftest import assert_problem

BOT = "5511987654321"
CUSTOMER = "5511912345678"


def message(direction="in", external_id=None, **extra):
    body = {"session_id": "store-main", "direction": direction, "text": "Olá ✅",
            "from": CUSTOMER if direction == "in" else BOT, "to": BOT if direction == "in" else CUSTOMER}
    if external_id:
        body["external_id"] = external_id
    body.update(extra)
    return body


def post(client, tenant, body):
    response = client.post("/api/v1/messages", json=body, headers=tenant.headers)
    # Order is by the millisecond of storage: keep successive test messages apart.
    time.sleep(0.002)
    return response


def test_record_and_read_back_a_message(client, tenant):
    created = post(client, tenant, message("in", "wamid.1", **{"from": "+55 (11) 91234-5678",
                                                               "to": f"{BOT}@s.whatsapp.net"}))
    assert created.status_code == 201
    body = created.get_json()
    assert body["from"] == CUSTOMER and body["to"] == BOT and body["direction"] == "in"
    assert body["conversation_id"] == f"{CUSTOMER}:{BOT}" and body["text"] == "Olá ✅"
    assert body["status"] == "delivered" and body["media"] is None and body["read_at"] is None
    assert [h["status"] for h in body["status_history"]] == ["delivered"]
    assert client.get(f"/api/v1/messages/{body['id']}", headers=tenant.headers).get_json() == body
    by_ext = client.get("/api/v1/messages/by-external-id/wamid.1", headers=tenant.headers)
    assert by_ext.get_json() == body


def test_same_external_id_returns_the_stored_message_once(client, tenant):
    first = post(client, tenant, message("out", "ext-1"))
    again = post(client, tenant, message("out", "ext-1", text="a different text"))
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json() == first.get_json()
    listed = client.get("/api/v1/messages?include_total=true", headers=tenant.headers).get_json()
    assert listed["total"] == 1
    summary = client.get("/api/v1/conversations", headers=tenant.headers).get_json()["items"][0]
    assert summary["message_count"] == 1 and summary["outbound_count"] == 1


def test_media_message(client, tenant):
    body = message("in", type="image", text=None,
                   media={"url": "https://gw.example/m/1.jpg", "mime_type": "image/jpeg", "caption": "foto"})
    created = post(client, tenant, body).get_json()
    assert created["type"] == "image" and created["media"]["caption"] == "foto"


def test_status_moves_forward_only_and_failed_is_final(client, tenant):
    out = post(client, tenant, message("out")).get_json()
    assert out["status"] == "pending"
    url = f"/api/v1/messages/{out['id']}"
    steps = [("sent", "sent"), ("read", "read"), ("delivered", "read"), ("played", "played"),
             ("failed", "failed"), ("read", "failed")]
    for at, (sent, expected) in enumerate(steps, start=1):
        response = client.patch(url, json={"status": sent, "at": f"2030-01-01T00:00:0{at}.000Z"},
                                headers=tenant.headers)
        assert response.status_code == 200 and response.get_json()["status"] == expected
    final = client.get(url, headers=tenant.headers).get_json()
    # One entry per status, at the earliest time it was reported; the late "delivered" is there.
    assert [h["status"] for h in final["status_history"]] == ["pending", "sent", "read", "delivered",
                                                               "played", "failed"]
    assert final["read_at"] == "2030-01-01T00:00:02.000Z" and final["failed_at"] == "2030-01-01T00:00:05.000Z"
    assert final["sent_at"] and final["delivered_at"]


def test_status_times_are_set_once_at_the_earliest_report(client, tenant):
    out = post(client, tenant, message("out")).get_json()
    url = f"/api/v1/messages/{out['id']}"
    client.patch(url, json={"status": "delivered", "at": "2026-11-22T10:00:05.000Z"}, headers=tenant.headers)
    client.patch(url, json={"status": "delivered", "at": "2026-11-22T10:00:09.000Z"}, headers=tenant.headers)
    client.patch(url, json={"status": "delivered", "at": "2026-11-22T07:00:01.000-03:00"}, headers=tenant.headers)
    assert client.get(url, headers=tenant.headers).get_json()["delivered_at"] == "2026-11-22T10:00:01.000Z"


def test_failed_keeps_its_error(client, tenant):
    out = post(client, tenant, message("out")).get_json()
    failed = client.patch(f"/api/v1/messages/{out['id']}", json={"status": "failed", "error": "131026 undeliverable"},
                          headers=tenant.headers).get_json()
    assert failed["status"] == "failed" and failed["error"] == "131026 undeliverable"


def test_list_filters_and_pages_newest_first(client, tenant):
    ids = [post(client, tenant, message("in" if i % 2 else "out", f"e{i}")).get_json()["id"] for i in range(9)]
    seen, times, cursor = [], [], None
    while True:
        page = client.get("/api/v1/messages?limit=4" + (f"&cursor={cursor}" if cursor else ""),
                          headers=tenant.headers).get_json()
        seen += [m["id"] for m in page["items"]]
        times += [m["created_at"] for m in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    # Newest first; messages stored in the same millisecond keep a stable, arbitrary order.
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
    assert times == sorted(times, reverse=True)
    inbound = client.get("/api/v1/messages?direction=in&include_total=true", headers=tenant.headers).get_json()
    assert inbound["total"] == 4 and all(m["direction"] == "in" for m in inbound["items"])
    pending = client.get("/api/v1/messages?status=pending", headers=tenant.headers).get_json()
    assert {m["id"] for m in pending["items"]} == set(ids[0::2])
    first = client.get(f"/api/v1/messages/{ids[0]}", headers=tenant.headers).get_json()
    later = client.get(f"/api/v1/messages?since={first['created_at']}&session_id=store-main&include_total=true",
                       headers=tenant.headers).get_json()
    assert later["total"] == 9
    none = client.get(f"/api/v1/messages?until={first['created_at']}&include_total=true",
                      headers=tenant.headers).get_json()
    assert none["total"] == 0


@pytest.mark.parametrize("body,field", [
    ({"direction": "sideways"}, "direction"), ({"from": "12"}, "from"), ({"to": "not a phone"}, "to"),
    ({"to": {"$gt": ""}}, "to"), ({"session_id": {"$ne": None}}, "session_id"), ({"type": "hologram"}, "type"),
    ({"text": ""}, "text"), ({"text": 5}, "text"), ({"status": "teleported"}, "status"), ({"unknown": 1}, "unknown"),
    ({"external_id": ""}, "external_id"), ({"media": {"url": "x", "size": 3}}, "media"),
])
def test_bad_messages_are_422_and_write_nothing(client, tenant, body, field):
    assert_problem(post(client, tenant, {**message("in"), **body}), 422, field)
    assert client.get("/api/v1/messages?include_total=true", headers=tenant.headers).get_json()["total"] == 0
    assert client.get("/api/v1/conversations", headers=tenant.headers).get_json()["items"] == []


def test_bad_status_updates(client, tenant):
    out = post(client, tenant, message("out")).get_json()
    url = f"/api/v1/messages/{out['id']}"
    assert_problem(client.patch(url, json={"status": "bogus"}, headers=tenant.headers), 422, "status")
    assert_problem(client.patch(url, json={"status": {"$set": 1}}, headers=tenant.headers), 422, "status")
    assert_problem(client.patch(url, json={}, headers=tenant.headers), 422, "status")
    assert_problem(client.patch(url, json={"status": "sent", "at": "yesterday"}, headers=tenant.headers), 422, "at")
    assert_problem(client.patch("/api/v1/messages/nope", json={"status": "sent"}, headers=tenant.headers), 404)
    assert client.get(url, headers=tenant.headers).get_json()["status_history"] == out["status_history"]
    assert_problem(client.get("/api/v1/messages?since=nonsense", headers=tenant.headers), 422, "since")


def test_status_and_direction_filters_have_indexes_of_their_own(app, client, tenant):
    """Every index leads with tenant_id; ?status= and ?direction= each have one ordered
    by time, so a page of a rare status does not scan the tenant's whole history."""
    from models import Message

    post(client, tenant, message("in", "indexed"))  # the collection and its indexes exist
    with app.app_context():
        keys = [[field for field, _direction in index["key"]]
                for index in Message._get_collection().index_information().values()]
    assert ["tenant_id", "status_rank", "created_at"] in keys, keys
    assert ["tenant_id", "direction", "created_at"] in keys, keys
    filtered = client.get("/api/v1/messages?status=delivered&direction=in", headers=tenant.headers).get_json()
    assert [m["external_id"] for m in filtered["items"]] == ["indexed"]


def test_a_total_is_counted_up_to_a_cap(client, tenant, monkeypatch):
    """include_total counts no further than TOTAL_CAP (10,000) matches: past it, total
    says the cap and total_capped is true."""
    from services import pagination

    monkeypatch.setattr(pagination, "TOTAL_CAP", 2)
    for n in range(3):
        post(client, tenant, message("in" if n else "out", f"capped-{n}"))
    listed = client.get("/api/v1/messages?include_total=true&limit=1", headers=tenant.headers).get_json()
    assert (listed["total"], listed["total_capped"], len(listed["items"])) == (2, True, 1)
    inbound = client.get("/api/v1/messages?include_total=true&direction=in", headers=tenant.headers).get_json()
    assert (inbound["total"], inbound["total_capped"]) == (2, False)
    outbound = client.get("/api/v1/messages?include_total=true&direction=out", headers=tenant.headers).get_json()
    assert (outbound["total"], outbound["total_capped"]) == (1, False)
    assert "total" not in client.get("/api/v1/messages", headers=tenant.headers).get_json()
