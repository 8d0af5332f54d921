"""Gateway webhooks replayed from realistic fixtures, run on every tier."""
import itertools
import json

import pytest

from tests.conftest import assert_problem
from tests.webhook_helpers import (
    BOT,
    CUSTOMER,
    EVO_IN,
    EVO_OUT,
    VERIFY_TOKEN,
    WAHA_OUT,
    configure_cloud,
    fixture,
    send,
    stored,
    total_messages,
)

EVO_STORY = ["send_message_outbound", "messages_update_server_ack", "messages_update_delivery_ack",
             "messages_update_read", "messages_update_played"]


def test_evolution_outbound_story_in_order_and_replayed(client, tenant):
    for name in EVO_STORY:
        response = send(client, "evolution", tenant, name)
        assert response.status_code == 200 and response.get_json()["accepted"] == 1, response.get_json()
    replay = send(client, "evolution", tenant, EVO_STORY[0]).get_json()
    assert replay == {"accepted": 0, "duplicates": 1, "ignored": 0}
    message = stored(client, tenant, EVO_OUT).get_json()
    assert message["status"] == "played" and message["direction"] == "out"
    assert message["from"] == BOT and message["to"] == CUSTOMER and message["session_id"] == "chatkeep-main"
    assert [h["status"] for h in message["status_history"]][0] == "pending"
    assert {"sent", "delivered", "read", "played"} <= {h["status"] for h in message["status_history"]}
    assert total_messages(client, tenant) == 1


def test_evolution_statuses_in_any_order_and_before_their_message(client, tenant, admin):
    from tests.conftest import create_tenant
    end_states = set()
    for n, order in enumerate(itertools.permutations(EVO_STORY)):
        if n % 11:  # 11 of the 120 orders, message position varying
            continue
        fresh = create_tenant(client, admin)
        for name in order:
            assert send(client, "evolution", fresh, name).status_code == 200
        message = stored(client, fresh, EVO_OUT).get_json()
        end_states.add((message["status"], message["from"], message["to"], message["text"], message["type"]))
    assert len(end_states) == 1 and next(iter(end_states))[0] == "played"


@pytest.mark.parametrize("name,kind", [
    ("messages_upsert_text_inbound", "text"), ("messages_upsert_extended_text", "text"),
    ("messages_upsert_image", "image"), ("messages_upsert_audio", "audio"), ("messages_upsert_document", "document"),
    ("messages_upsert_location", "location"), ("messages_upsert_reaction", "reaction"),
    ("messages_upsert_group", "text"), ("messages_upsert_v1_long_timestamp", "text"),
])
def test_evolution_inbound_messages_of_every_kind(client, tenant, name, kind):
    body = fixture("evolution", name)
    assert send(client, "evolution", tenant, body).get_json()["accepted"] == 1
    assert send(client, "evolution", tenant, body).get_json()["duplicates"] == 1
    message = stored(client, tenant, body["data"]["key"]["id"]).get_json()
    assert message["type"] == kind and message["direction"] == "in" and message["to"] == BOT
    if kind in ("image", "audio", "document"):
        assert message["media"]["mime_type"]
    if name == "messages_upsert_group":
        assert message["from"].endswith("@g.us")
    assert total_messages(client, tenant) == 1


def test_evolution_connection_events_drive_the_session(client, tenant):
    send(client, "evolution", tenant, "qrcode_updated")
    session = client.get("/api/v1/sessions/chatkeep-main", headers=tenant.headers).get_json()
    assert session["status"] == "connecting"
    send(client, "evolution", tenant, "connection_update_open")
    session = client.get("/api/v1/sessions/chatkeep-main", headers=tenant.headers).get_json()
    assert session["status"] == "open" and session["phone_number"] == BOT
    send(client, "evolution", tenant, "connection_update_close")
    assert client.get("/api/v1/sessions/chatkeep-main", headers=tenant.headers).get_json()["status"] == "close"


def test_evolution_error_and_v1_update_shapes(client, tenant):
    send(client, "evolution", tenant, "send_message_outbound")
    assert send(client, "evolution", tenant, "messages_update_v1_shape").get_json()["accepted"] == 1
    assert stored(client, tenant, EVO_OUT).get_json()["status"] == "delivered"
    send(client, "evolution", tenant, "messages_update_error")
    assert stored(client, tenant, EVO_OUT).get_json()["status"] == "failed"
    send(client, "evolution", tenant, "messages_update_read")
    assert stored(client, tenant, EVO_OUT).get_json()["status"] == "failed"


def test_unknown_events_are_ignored(client, tenant):
    assert send(client, "evolution", tenant, "unknown_event_presence_update").get_json() == \
        {"accepted": 0, "duplicates": 0, "ignored": 1}
    assert send(client, "waha", tenant, "unknown_event").get_json()["ignored"] == 1


def test_bad_tokens_store_nothing(client, tenant, other_tenant):
    for token in ("", "wrong", other_tenant.webhook_token):
        assert_problem(send(client, "evolution", tenant, "messages_upsert_text_inbound", token=token), 401)
        assert_problem(send(client, "waha", tenant, "message_inbound_text", token=token), 401)
    header = client.post(f"/webhooks/evolution/{tenant.slug}", json=fixture("evolution", "send_message_outbound"),
                         headers={"X-Webhook-Token": tenant.webhook_token})
    assert header.status_code == 200
    nobody = client.post("/webhooks/evolution/no-such-tenant?token=x", json={})
    assert_problem(nobody, 401)
    assert total_messages(client, tenant) == 1


def test_malformed_and_incomplete_events_store_nothing(client, tenant):
    assert_problem(send(client, "evolution", tenant, {}, raw=b"{not json"), 400)
    assert_problem(send(client, "evolution", tenant, {}, raw=b"[1, 2]"), 422)
    assert_problem(send(client, "evolution", tenant, {}, raw=b"\xff\xfe{}"), 400)
    assert_problem(send(client, "evolution", tenant, {}, raw=b"[" * 100000 + b"]" * 100000), 400)
    no_key = fixture("evolution", "messages_upsert_text_inbound")
    del no_key["data"]["key"]["id"]
    assert_problem(send(client, "evolution", tenant, no_key), 422, "data.key.id")
    bad_jid = fixture("evolution", "messages_upsert_text_inbound")
    bad_jid["data"]["key"]["remoteJid"] = "not-a-number@s.whatsapp.net"
    assert_problem(send(client, "evolution", tenant, bad_jid), 422, "data.key.remoteJid")
    no_payload = fixture("waha", "message_inbound_text")
    no_payload["payload"] = "text"
    assert_problem(send(client, "waha", tenant, no_payload), 422, "payload")
    assert total_messages(client, tenant) == 0



def test_waha_story_and_sessions(client, tenant):
    for name in ("session_status_scan_qr", "session_status_working"):
        assert send(client, "waha", tenant, name).get_json()["accepted"] == 1
    session_id = fixture("waha", "session_status_working")["session"]
    session = client.get(f"/api/v1/sessions/{session_id}", headers=tenant.headers).get_json()
    assert session["status"] == "open" and session["phone_number"] == BOT
    for name in ("message_ack_read", "message_any_outbound", "message_ack_server", "message_ack_device"):
        assert send(client, "waha", tenant, name).status_code == 200
    message = stored(client, tenant, WAHA_OUT).get_json()
    assert message["status"] == "read" and message["direction"] == "out" and message["to"] == CUSTOMER
    inbound = fixture("waha", "message_inbound_text")
    assert send(client, "waha", tenant, inbound).get_json()["accepted"] == 1
    assert send(client, "waha", tenant, inbound).get_json()["duplicates"] == 1
    image = fixture("waha", "message_media_image")
    send(client, "waha", tenant, image)
    assert stored(client, tenant, image["payload"]["id"]).get_json()["type"] == "image"
    send(client, "waha", tenant, "message_ack_error")
    assert stored(client, tenant, WAHA_OUT).get_json()["status"] == "failed"
    send(client, "waha", tenant, "session_status_stopped")
    assert client.get(f"/api/v1/sessions/{session_id}", headers=tenant.headers).get_json()["status"] == "close"


def test_cloud_handshake(client, admin, tenant):
    configure_cloud(client, admin, tenant)
    url = f"/webhooks/whatsapp/{tenant.slug}"
    ok = client.get(f"{url}?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444")
    assert ok.status_code == 200 and ok.get_data(as_text=True) == "1158201444"
    assert_problem(client.get(f"{url}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1"), 403)
    assert_problem(client.get(f"{url}?hub.mode=unsubscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1"), 403)


def test_cloud_messages_statuses_and_signatures(client, admin, tenant):
    configure_cloud(client, admin, tenant)
    text = fixture("cloud", "messages_text")
    unsigned = client.post(f"/webhooks/whatsapp/{tenant.slug}", json=text)
    assert_problem(unsigned, 401)
    forged = client.post(f"/webhooks/whatsapp/{tenant.slug}", json=text,
                         headers={"X-Hub-Signature-256": "sha256=" + "0" * 64})
    assert_problem(forged, 401)
    assert send(client, "cloud", tenant, text).get_json()["accepted"] == 1
    assert send(client, "cloud", tenant, text).get_json()["duplicates"] == 1
    for name in ("messages_image", "messages_location", "messages_reaction"):
        assert send(client, "cloud", tenant, name).get_json()["accepted"] == 1
    batch = send(client, "cloud", tenant, "messages_batch_two_messages").get_json()
    assert batch["accepted"] == 2
    for name in ("statuses_read", "statuses_sent", "statuses_delivered"):  # out of order, before the message
        assert send(client, "cloud", tenant, name).get_json()["accepted"] == 1
    wamid = fixture("cloud", "statuses_read")["entry"][0]["changes"][0]["value"]["statuses"][0]["id"]
    assert stored(client, tenant, wamid).status_code == 404  # parked until the message is recorded
    recorded = client.post("/api/v1/messages", headers=tenant.headers, json={
        "session_id": "bot", "direction": "out", "from": BOT, "to": CUSTOMER, "text": "Pedido enviado",
        "external_id": wamid})
    assert recorded.status_code == 201 and recorded.get_json()["status"] == "read"


def test_cloud_non_ascii_body_is_verified_on_the_raw_bytes(client, admin, tenant):
    configure_cloud(client, admin, tenant)
    body = fixture("cloud", "messages_text_non_ascii")
    raw = json.dumps(body, ensure_ascii=True).encode()  # Meta's \u escapes
    assert b"\\u00e1" in raw
    assert send(client, "cloud", tenant, body, raw=raw).get_json()["accepted"] == 1
    message_id = body["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    assert stored(client, tenant, message_id).get_json()["text"] == "Olá, pedido nº 5 ✅"


def test_cloud_batch_keeps_good_items_and_reports_bad_ones(client, admin, tenant):
    configure_cloud(client, admin, tenant)
    result = send(client, "cloud", tenant, "statuses_batch_mixed").get_json()
    assert result["rejected"] == 1 and result["accepted"] == 4
    assert "statuses[2]" in result["errors"][0]["item"]
    failed = send(client, "cloud", tenant, "statuses_failed").get_json()
    assert failed["accepted"] == 1


def test_cloud_without_a_configured_secret_is_401(client, tenant):
    assert_problem(send(client, "cloud", tenant, "messages_text"), 401)
    assert_problem(client.get(f"/webhooks/whatsapp/{tenant.slug}?hub.mode=subscribe&hub.verify_token=&hub.challenge=1"),
                   403)


def test_archive_keeps_bodies_and_replay_reingests_them_once(app, client, tenant):
    app.config["WEBHOOK_ARCHIVE_DAYS"] = 7
    for name in ("send_message_outbound", "messages_update_read", "messages_upsert_text_inbound"):
        assert send(client, "evolution", tenant, name).status_code == 200
    message_id = stored(client, tenant, EVO_OUT).get_json()["id"]
    client.delete(f"/api/v1/conversations/{BOT}/{CUSTOMER}", headers=tenant.headers)  # "lost" by a bug
    assert total_messages(client, tenant) == 0
    result = app.test_cli_runner().invoke(args=["webhooks", "replay", "--tenant", tenant.slug,
                                                "--since", "2000-01-01T00:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "3 bodies replayed: 3 accepted" in result.output
    restored = stored(client, tenant, EVO_OUT).get_json()
    assert restored["id"] == message_id and restored["status"] == "read"
    assert total_messages(client, tenant) == 2
    again = app.test_cli_runner().invoke(args=["webhooks", "replay", "--tenant", tenant.slug,
                                               "--since", "2000-01-01T00:00:00Z"])
    assert "2 duplicates" in again.output and total_messages(client, tenant) == 2


def test_replay_repairs_a_summary_cut_short(app, client, tenant, frozen_clock):
    """A first attempt stored its message but not its summary update (a crash between
    the two writes), and a newer message was counted before the replay: replaying the
    archive re-derives the summary (the live path's check cannot see this case)."""
    from models import Conversation, Message
    from models.collections import GlobalCollection

    app.config["WEBHOOK_ARCHIVE_DAYS"] = 7
    for name in ("send_message_outbound", "messages_upsert_text_inbound"):
        assert send(client, "evolution", tenant, name).status_code == 200
        frozen_clock.ms += 1_000  # the inbound message is the newer one
    with app.app_context():  # as if the older, outbound message had never been counted
        inbound = next(GlobalCollection(Message).find({"direction": "in"}))
        GlobalCollection(Conversation).update_one({}, {"$set": {
            "message_count": 1, "outbound_count": 0, "last_message_id": inbound["_id"],
            "last_message_at": inbound["created_at"]}})
    result = app.test_cli_runner().invoke(args=["webhooks", "replay", "--tenant", tenant.slug,
                                                "--since", "2000-01-01T00:00:00Z"])
    assert "2 duplicates" in result.output, result.output
    summary = client.get("/api/v1/conversations", headers=tenant.headers).get_json()["items"][0]
    assert (summary["message_count"], summary["inbound_count"], summary["outbound_count"]) == (2, 1, 1)


@pytest.mark.parametrize("retry", ["webhook", "rest"])
def test_a_retried_message_repairs_a_summary_cut_short(app, client, tenant, retry, frozen_clock, monkeypatch):
    """The first attempt stored the message but was cut off before counting it (a crash,
    or an outage between the two writes on MongoDB 6/7); the gateway's or client's retry
    is a duplicate: it answers at once, without reading the conversation, and the
    scheduler's repair job re-derives the summary from the messages afterwards (once
    the mark has settled, so a write still in flight is not mistaken for a lost one)."""
    from models import Conversation, ConversationRepair
    from models.collections import GlobalCollection
    from services.messaging import conversation_repairs, conversations
    from services.operations import scheduler

    rest_body = {"session_id": "s1", "direction": "in", "from": CUSTOMER, "to": BOT, "text": "oi",
                 "external_id": "cut-short"}
    first = send(client, "evolution", tenant, "messages_upsert_text_inbound") if retry == "webhook" else \
        client.post("/api/v1/messages", json=rest_body, headers=tenant.headers)
    assert first.status_code in (200, 201)
    with app.app_context():  # the conversation's first message: its summary was never written
        GlobalCollection(Conversation).delete_many({})
    rebuilds = []
    real_rebuild = conversations.rebuild_summaries
    monkeypatch.setattr(conversations, "rebuild_summaries", lambda *a: rebuilds.append(a) or real_rebuild(*a))
    again = send(client, "evolution", tenant, "messages_upsert_text_inbound") if retry == "webhook" else \
        client.post("/api/v1/messages", json=rest_body, headers=tenant.headers)
    assert again.status_code == 200
    assert rebuilds == [] and client.get("/api/v1/conversations", headers=tenant.headers).get_json()["items"] == []
    with app.app_context():
        assert GlobalCollection(ConversationRepair).count({}) == 1
    scheduler.repair_conversations(app)  # not due yet: a write in flight would land meanwhile
    assert rebuilds == []
    frozen_clock.ms += conversation_repairs.REPAIR_SETTLE_MS
    scheduler.repair_conversations(app)
    assert len(rebuilds) == 1
    summary = client.get("/api/v1/conversations", headers=tenant.headers).get_json()["items"][0]
    assert (summary["message_count"], summary["inbound_count"], summary["unread_count"]) == (1, 1, 1)
    with app.app_context():
        assert GlobalCollection(ConversationRepair).count({}) == 0
    scheduler.repair_conversations(app)
    assert len(rebuilds) == 1


def test_a_duplicate_of_a_counted_message_marks_nothing(app, client, tenant, frozen_clock):
    """The common duplicate (a gateway's retry of a message fully stored) costs one read
    of its summary and leaves no repair behind."""
    from models import ConversationRepair
    from models.collections import GlobalCollection

    for _ in range(2):
        assert send(client, "evolution", tenant, "messages_upsert_text_inbound").status_code == 200
    with app.app_context():
        assert GlobalCollection(ConversationRepair).count({}) == 0


def test_a_mark_whose_message_was_counted_meanwhile_is_dropped_without_a_rebuild(app, client, tenant, frozen_clock,
                                                                                  monkeypatch):
    """The duplicate may have looked while the first attempt's summary write was still
    in flight: the job looks again first and rebuilds only what is still short."""
    from models import ConversationRepair, Message
    from models.collections import GlobalCollection
    from models.tenancy import tenant_scope
    from services.messaging import conversation_repairs, conversations

    assert send(client, "evolution", tenant, "messages_upsert_text_inbound").status_code == 200
    with app.app_context():
        message = next(GlobalCollection(Message).find({"external_id": EVO_IN}))
        with tenant_scope(message["tenant_id"]):
            assert conversation_repairs.mark_if_uncounted(message) is False  # counted: no mark
            with monkeypatch.context() as in_flight:
                in_flight.setattr(conversation_repairs, "_counted", lambda m: False)
                assert conversation_repairs.mark_if_uncounted(message) is True  # as if in flight
        monkeypatch.setattr(conversations, "rebuild_summaries", lambda *a: pytest.fail("rebuilt"))
        frozen_clock.ms += conversation_repairs.REPAIR_SETTLE_MS
        assert conversation_repairs.run_due_repairs() == 0
        assert GlobalCollection(ConversationRepair).count({}) == 0

