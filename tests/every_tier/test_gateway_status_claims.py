"""README's delivery- and session-status mapping, per gateway, replayed from fixtures."""
import copy

import pytest

from tests.conftest import assert_problem
from tests.webhook_helpers import BOT, CUSTOMER, EVO_OUT, WAHA_OUT, configure_cloud, fixture, send, stored

IGNORED = {"accepted": 0, "duplicates": 0, "ignored": 1}
CLOUD_SESSION = "109876543210987"  # metadata.phone_number_id of the cloud fixtures
CLOUD_OUT = fixture("cloud", "statuses_read")["entry"][0]["changes"][0]["value"]["statuses"][0]["id"]


def cloud_status(status: str, name: str = "statuses_read") -> dict:
    body = copy.deepcopy(fixture("cloud", name))
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = status
    return body


def record_cloud_out(client, tenant, external_id: str, to: str = CUSTOMER):
    response = client.post("/api/v1/messages", headers=tenant.headers, json={
        "session_id": CLOUD_SESSION, "direction": "out", "from": BOT, "to": to, "text": "Pedido enviado",
        "external_id": external_id})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def statuses(message: dict) -> list:
    return [entry["status"] for entry in message["status_history"]]


# Cloud API: `failed` (with `errors[0]` kept as the message's `error`), `played`, `deleted`.

def test_cloud_failed_keeps_the_first_error_visible_through_the_api(client, admin, tenant):
    configure_cloud(client, admin, tenant)
    body = fixture("cloud", "statuses_failed")
    item = body["entry"][0]["changes"][0]["value"]["statuses"][0]
    item["errors"].append({"code": 131026, "title": "Message undeliverable"})  # only errors[0] is kept
    message = record_cloud_out(client, tenant, item["id"], to=item["recipient_id"])
    assert send(client, "cloud", tenant, body).get_json() == {"accepted": 1, "duplicates": 0, "ignored": 0}
    by_id = client.get(f"/api/v1/messages/{message['id']}", headers=tenant.headers).get_json()
    assert by_id == stored(client, tenant, item["id"]).get_json()
    assert by_id["status"] == "failed" and by_id["failed_at"]
    assert "131047" in by_id["error"] and "more than 24 hours have passed" in by_id["error"]
    assert "131026" not in by_id["error"]


def test_cloud_failed_before_its_message_still_keeps_the_error(client, admin, tenant):
    """A parked `failed` status carries its error onto the message recorded later."""
    configure_cloud(client, admin, tenant)
    body = fixture("cloud", "statuses_failed")
    item = body["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert send(client, "cloud", tenant, body).get_json()["accepted"] == 1
    message = record_cloud_out(client, tenant, item["id"], to=item["recipient_id"])
    assert message["status"] == "failed" and "131047" in message["error"]


def test_cloud_failed_is_final_and_keeps_its_error(client, admin, tenant):
    configure_cloud(client, admin, tenant)
    record_cloud_out(client, tenant, CLOUD_OUT)
    assert send(client, "cloud", tenant, "statuses_sent").get_json()["accepted"] == 1
    failed = cloud_status("failed", "statuses_sent")
    failed["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"] = \
        fixture("cloud", "statuses_failed")["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"]
    assert send(client, "cloud", tenant, failed).get_json()["accepted"] == 1
    for later in ("statuses_delivered", "statuses_read", cloud_status("played")):
        assert send(client, "cloud", tenant, later).get_json()["accepted"] == 1
    message = stored(client, tenant, CLOUD_OUT).get_json()
    assert message["status"] == "failed" and "131047" in message["error"]


def test_cloud_played_is_stored_and_not_undone_by_a_late_read(client, admin, tenant):
    configure_cloud(client, admin, tenant)
    record_cloud_out(client, tenant, CLOUD_OUT)
    assert send(client, "cloud", tenant, cloud_status("played")).get_json()["accepted"] == 1
    assert send(client, "cloud", tenant, "statuses_read").get_json()["accepted"] == 1
    message = stored(client, tenant, CLOUD_OUT).get_json()
    assert message["status"] == "played" and "played" in statuses(message)


def test_cloud_deleted_and_unknown_statuses_are_ignored_and_change_nothing(client, admin, tenant):
    configure_cloud(client, admin, tenant)
    record_cloud_out(client, tenant, CLOUD_OUT)
    send(client, "cloud", tenant, "statuses_sent")
    before = stored(client, tenant, CLOUD_OUT).get_json()
    for status in ("deleted", "warning"):
        assert send(client, "cloud", tenant, cloud_status(status)).get_json() == IGNORED
    assert stored(client, tenant, CLOUD_OUT).get_json() == before


# Evolution API: `DELETED` and other statuses are ignored; `refused` closes the session.

def test_evolution_deleted_and_unknown_statuses_are_ignored_and_change_nothing(client, tenant):
    for name in ("send_message_outbound", "messages_update_server_ack"):
        assert send(client, "evolution", tenant, name).get_json()["accepted"] == 1
    before = stored(client, tenant, EVO_OUT).get_json()
    assert before["status"] == "sent"
    for status in ("DELETED", "EDITED", "SOMETHING_NEW", 7):
        update = fixture("evolution", "messages_update_read")
        update["data"]["status"] = status
        assert send(client, "evolution", tenant, update).get_json() == IGNORED, status
    assert stored(client, tenant, EVO_OUT).get_json() == before


def test_evolution_refused_connection_closes_the_session(client, tenant):
    """Evolution sends state `refused` once the QR retry limit is reached."""
    send(client, "evolution", tenant, "connection_update_open")
    refused = fixture("evolution", "connection_update_close")
    refused["data"].update(state="refused", statusReason=428)
    assert send(client, "evolution", tenant, refused).get_json()["accepted"] == 1
    session = client.get("/api/v1/sessions/chatkeep-main", headers=tenant.headers).get_json()
    assert session["status"] == "close" and session["phone_number"] == BOT


def test_evolution_unknown_connection_state_is_422_and_changes_nothing(client, tenant):
    send(client, "evolution", tenant, "connection_update_open")
    before = client.get("/api/v1/sessions/chatkeep-main", headers=tenant.headers).get_json()
    unknown = fixture("evolution", "connection_update_close")
    unknown["data"]["state"] = "logged_out"
    assert_problem(send(client, "evolution", tenant, unknown), 422, "data.state")
    assert client.get("/api/v1/sessions/chatkeep-main", headers=tenant.headers).get_json() == before


# WAHA: ack `4` PLAYED, `-1` ERROR (final), unknown acks ignored; session `FAILED` closes.

@pytest.mark.parametrize("first, later, final", [
    ("message_ack_played", ("message_ack_read", "message_ack_device", "message_ack_server"), "played"),
    ("message_ack_error", ("message_ack_played", "message_ack_read", "message_ack_server"), "failed"),
])
def test_waha_played_and_error_acks_are_not_undone_by_later_acks(client, tenant, first, later, final):
    send(client, "waha", tenant, "message_any_outbound")
    for name in (first, *later):
        assert send(client, "waha", tenant, name).get_json()["accepted"] == 1, name
    message = stored(client, tenant, WAHA_OUT).get_json()
    assert message["status"] == final and final in statuses(message)


def test_waha_unknown_acks_are_ignored_and_change_nothing(client, tenant):
    send(client, "waha", tenant, "message_any_outbound")
    send(client, "waha", tenant, "message_ack_server")
    before = stored(client, tenant, WAHA_OUT).get_json()
    for ack, name in ((5, "UNKNOWN"), (-2, None), (None, "INACTIVE")):
        body = fixture("waha", "message_ack_read")
        body["payload"].update(ack=ack, ackName=name)
        assert send(client, "waha", tenant, body).get_json() == IGNORED, (ack, name)
    assert stored(client, tenant, WAHA_OUT).get_json() == before


def test_waha_failed_session_status_closes_the_session(client, tenant):
    send(client, "waha", tenant, "session_status_working")
    failed = fixture("waha", "session_status_failed")
    assert send(client, "waha", tenant, failed).get_json()["accepted"] == 1
    session = client.get(f"/api/v1/sessions/{failed['session']}", headers=tenant.headers).get_json()
    assert session["status"] == "close"
