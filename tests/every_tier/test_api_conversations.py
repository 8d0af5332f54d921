"""Conversations through the HTTP API, run on every tier."""
from tests.conftest import assert_problem
from tests.every_tier.test_api_messages import BOT, CUSTOMER, message, post

OTHER = "14155550123"


def test_summary_counts_last_message_and_unread(client, tenant):
    post(client, tenant, message("in", "a"))
    post(client, tenant, message("out", "b"))
    last = post(client, tenant, message("in", "c", text="último")).get_json()
    post(client, tenant, message("in", "d", **{"from": OTHER}))
    items = client.get("/api/v1/conversations", headers=tenant.headers).get_json()["items"]
    assert [c["conversation_id"] for c in items] == [f"{OTHER}:{BOT}", f"{CUSTOMER}:{BOT}"]
    summary = items[1]
    assert summary["participants"] == [CUSTOMER, BOT] and summary["session_id"] == "store-main"
    assert (summary["message_count"], summary["inbound_count"], summary["outbound_count"],
            summary["unread_count"]) == (3, 2, 1, 2)
    assert summary["last_message"]["id"] == last["id"] and summary["last_message"]["text"] == "último"
    assert summary["last_message_at"] == last["created_at"]


def test_any_phone_form_and_order_address_the_same_conversation(client, tenant):
    post(client, tenant, message("in", "a"))
    post(client, tenant, message("out", "b"))
    for a, b in ((BOT, CUSTOMER), (CUSTOMER, BOT), ("+55 11 91234-5678", f"{BOT}@s.whatsapp.net"),
                 (f"{BOT}@c.us", "(55) 11 91234 5678")):
        page = client.get(f"/api/v1/conversations/{a}/{b}/messages", headers=tenant.headers).get_json()
        assert sorted(m["external_id"] for m in page["items"]) == ["a", "b"]


def test_read_resets_unread_and_new_inbound_counts_again(client, tenant):
    post(client, tenant, message("in", "a"))
    post(client, tenant, message("in", "b"))
    read = client.post(f"/api/v1/conversations/{CUSTOMER}/{BOT}/read", headers=tenant.headers)
    assert read.status_code == 200 and read.get_json()["unread_count"] == 0
    post(client, tenant, message("in", "c"))
    post(client, tenant, message("out", "d"))
    summary = client.get(f"/api/v1/conversations/{BOT}/{CUSTOMER}", headers=tenant.headers).get_json()
    assert summary["unread_count"] == 1 and summary["message_count"] == 4
    assert_problem(client.post(f"/api/v1/conversations/{OTHER}/{BOT}/read", headers=tenant.headers), 404)


def test_delete_removes_messages_and_summary(client, tenant):
    post(client, tenant, message("in", "a"))
    post(client, tenant, message("in", "o", **{"from": OTHER}))
    assert client.delete(f"/api/v1/conversations/{BOT}/{CUSTOMER}", headers=tenant.headers).status_code == 204
    assert_problem(client.get(f"/api/v1/conversations/{BOT}/{CUSTOMER}", headers=tenant.headers), 404)
    assert_problem(client.get("/api/v1/messages/by-external-id/a", headers=tenant.headers), 404)
    remaining = client.get("/api/v1/messages?include_total=true", headers=tenant.headers).get_json()
    assert remaining["total"] == 1 and remaining["items"][0]["external_id"] == "o"
    assert_problem(client.delete(f"/api/v1/conversations/{BOT}/{CUSTOMER}", headers=tenant.headers), 404)
    # The same external id may be recorded anew after deletion.
    assert post(client, tenant, message("in", "a")).status_code == 201


def test_conversation_pages_and_session_filter(client, tenant):
    for i in range(5):
        post(client, tenant, message("in", f"m{i}", session_id="s-a" if i < 3 else "s-b",
                                     **{"from": f"55119123456{i:02d}"}))
    seen, cursor = [], None
    while True:
        page = client.get("/api/v1/conversations?limit=2" + (f"&cursor={cursor}" if cursor else ""),
                          headers=tenant.headers).get_json()
        seen += [c["last_message"]["external_id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["m4", "m3", "m2", "m1", "m0"]
    only_a = client.get("/api/v1/conversations?session_id=s-a&include_total=true", headers=tenant.headers).get_json()
    assert only_a["total"] == 3


def test_group_chat_ids_are_kept(client, tenant):
    group = "120363025246125486@g.us"
    created = post(client, tenant, message("in", "g1", to=group)).get_json()
    assert created["to"] == group and created["conversation_id"] == ":".join(sorted([group, CUSTOMER]))
    page = client.get(f"/api/v1/conversations/{group}/{CUSTOMER}/messages", headers=tenant.headers).get_json()
    assert [m["external_id"] for m in page["items"]] == ["g1"]


def test_bad_phones_in_the_path_are_422(client, tenant):
    assert_problem(client.get(f"/api/v1/conversations/12/{BOT}/messages", headers=tenant.headers), 422, "a")
    assert_problem(client.delete(f"/api/v1/conversations/{BOT}/abc", headers=tenant.headers), 422, "b")


def test_two_tenants_with_the_same_pair_keep_separate_conversations(client, tenant, other_tenant):
    post(client, tenant, message("in", "t1-a"))
    post(client, tenant, message("in", "t1-b"))
    post(client, other_tenant, message("in", "t2-a"))
    mine = client.get("/api/v1/conversations", headers=tenant.headers).get_json()["items"]
    theirs = client.get("/api/v1/conversations", headers=other_tenant.headers).get_json()["items"]
    assert [c["message_count"] for c in mine] == [2] and [c["message_count"] for c in theirs] == [1]
    assert theirs[0]["last_message"]["external_id"] == "t2-a"


def test_messages_of_several_conversations_in_one_millisecond_count_in_their_own(client, tenant, frozen_clock):
    """Each summary counts its own conversation's messages, however many conversations
    get one in the same millisecond (nx-27017 matched another summary's last message)."""
    customers = [f"55119876500{n:02d}" for n in range(8)]
    for n, customer in enumerate(customers):
        answer = client.post("/api/v1/messages", headers=tenant.headers, json={
            "session_id": "s", "direction": "in", "from": customer, "to": "5511987654321", "text": f"m{n}",
            "external_id": f"same-ms-{n}"})
        assert answer.status_code == 201, answer.get_json()
    for customer in customers:
        summary = client.get(f"/api/v1/conversations/{customer}/5511987654321", headers=tenant.headers).get_json()
        assert summary["message_count"] == 1 and summary["last_message"]["from"] == customer, summary
