"""A gateway message whose session's own number nobody has told ChatKeep yet is kept,
invisible, and released when the number comes (it used to be answered 200 "rejected":
the gateway never sends it again, so it was lost)."""
import copy
import time

from services.operations.upkeep import run_upkeep
from tests.webhook_helpers import BOT, CUSTOMER, EVO_IN, fixture, send, stored


def _without_sender(name: str, external_id: str = EVO_IN) -> dict:
    body = copy.deepcopy(fixture("evolution", name))
    body.pop("sender", None)
    body["data"]["key"]["id"] = external_id
    return body


def _read_status_for(external_id: str) -> dict:
    body = copy.deepcopy(fixture("evolution", "messages_update_read"))
    body["data"].update(keyId=external_id, fromMe=False)
    return body


def _conversation(client, tenant):
    return client.get(f"/api/v1/conversations/{BOT}/{CUSTOMER}", headers=tenant.headers)


def test_a_message_without_its_sessions_number_is_held_until_a_connection_event_names_it(client, tenant):
    answer = send(client, "evolution", tenant, _without_sender("messages_upsert_text_inbound")).get_json()
    assert answer == {"accepted": 1, "duplicates": 0, "ignored": 0, "held": 1}
    assert stored(client, tenant, EVO_IN).status_code == 404  # no conversation to show it in yet
    assert send(client, "evolution", tenant, _without_sender("messages_upsert_text_inbound")).get_json()[
        "duplicates"] == 1
    assert send(client, "evolution", tenant, _read_status_for(EVO_IN)).get_json()["accepted"] == 1
    assert send(client, "evolution", tenant, "connection_update_open").status_code == 200  # wuid: the number
    message = stored(client, tenant, EVO_IN).get_json()
    assert (message["from"], message["to"], message["direction"], message["status"]) == (CUSTOMER, BOT, "in", "read")
    summary = _conversation(client, tenant).get_json()
    assert (summary["message_count"], summary["unread_count"]) == (1, 1)
    assert summary["last_message"]["external_id"] == EVO_IN


def test_the_upkeep_releases_held_messages_with_the_number_read_off_later_messages(app, client, tenant):
    send(client, "evolution", tenant, _without_sender("messages_upsert_text_inbound", "held-1"))
    assert send(client, "evolution", tenant, "messages_upsert_text_inbound").get_json()["accepted"] == 1  # sender
    assert _conversation(client, tenant).get_json()["message_count"] == 1
    with app.app_context():
        run_upkeep(app.config)
    assert stored(client, tenant, "held-1").get_json()["to"] == BOT
    assert _conversation(client, tenant).get_json()["message_count"] == 2


def test_a_message_released_after_a_read_mark_is_unread_and_stays_so_through_a_rebuild(app, client, tenant):
    """It was invisible when the conversation was read: unread live, and a rebuild
    (which compares times with the read mark) must agree, though it arrived before."""
    send(client, "evolution", tenant, _without_sender("messages_upsert_text_inbound", "held-1"))
    time.sleep(0.002)
    send(client, "evolution", tenant, "messages_upsert_text_inbound")
    assert client.post(f"/api/v1/conversations/{BOT}/{CUSTOMER}/read", headers=tenant.headers).status_code == 200
    with app.app_context():
        run_upkeep(app.config)
    assert _conversation(client, tenant).get_json()["unread_count"] == 1
    assert app.test_cli_runner().invoke(args=["conversations", "rebuild", "--tenant", tenant.slug]).exit_code == 0
    summary = _conversation(client, tenant).get_json()
    assert (summary["message_count"], summary["unread_count"]) == (2, 1)


def test_a_session_put_with_its_number_releases_its_held_messages(client, tenant):
    send(client, "evolution", tenant, _without_sender("messages_upsert_text_inbound"))
    response = client.put("/api/v1/sessions/chatkeep-main", json={"status": "open", "phone_number": BOT},
                          headers=tenant.headers)
    assert response.status_code in (200, 201)
    assert stored(client, tenant, EVO_IN).get_json()["conversation_id"]


def test_a_copy_that_names_the_number_releases_the_held_message(client, tenant):
    """The gateway resends it with its sender, or a client records it through the API."""
    send(client, "evolution", tenant, _without_sender("messages_upsert_text_inbound"))
    assert send(client, "evolution", tenant, "messages_upsert_text_inbound").get_json()["duplicates"] == 1
    assert stored(client, tenant, EVO_IN).get_json()["to"] == BOT
    assert _conversation(client, tenant).get_json()["message_count"] == 1
    send(client, "evolution", tenant, _without_sender("messages_upsert_text_inbound", "held-2"))
    recorded = client.post("/api/v1/messages", headers=tenant.headers, json={
        "session_id": "chatkeep-main", "direction": "in", "from": CUSTOMER, "to": BOT, "external_id": "held-2",
        "text": "Oi"})
    assert recorded.status_code == 200 and recorded.get_json()["external_id"] == "held-2"
    assert _conversation(client, tenant).get_json()["message_count"] == 2
