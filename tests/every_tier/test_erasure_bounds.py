"""An erasure removes what is dated at or before it, and nothing else: data stored after
it stays through every later run (the runner's sweep, a 202 finished late), the
contact.erased delivery stays, other contacts whose numbers contain the erased one stay,
and one erasure that cannot go on does not hold the others up."""
import copy
import json

from cryptography.fernet import Fernet

from models.collections import scoped
from models.erasure import Erasure
from models.event import Event
from models.tenancy import tenant_scope
from models.webhook_archive import WebhookArchive
from models.webhook_endpoint import WebhookDelivery
from services import clock, secret_box
from services.events import event_data
from services.gateways import webhook_archive
from services.operations import metrics
from services.privacy import erasure, erasure_steps, ledger
from services.tenancy import tenants
from tests.every_tier.test_privacy import OTHER, _history, _message, _order
from tests.webhook_helpers import BOT, CUSTOMER, EVO_OUT, fixture, send, stored

LONGER = "5514155550123"  # a Brazilian number holding OTHER's digits (a US number) inside it


def _tenant_id(app, handle):
    with app.app_context():
        return tenants.get_tenant(handle.slug).id


def _evolution_message(external_id: str, at_ms: int, phone: str = CUSTOMER) -> dict:
    body = copy.deepcopy(fixture("evolution", "messages_upsert_text_inbound"))
    body["data"]["key"].update(id=external_id, remoteJid=f"{phone}@s.whatsapp.net")
    body["data"]["messageTimestamp"] = at_ms // 1000
    return body


def _erase(client, tenant, phone=CUSTOMER):
    answer = client.delete(f"/api/v1/contacts/{phone}", headers=tenant.headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _run_pending_at(app, frozen_clock, ms: int) -> int:
    frozen_clock.ms = ms
    with app.app_context():
        return erasure.run_pending(30)


def test_what_is_stored_after_the_erasure_stays_through_the_runner(app, client, tenant, frozen_clock, monkeypatch):
    _history(client, tenant)  # every write in one millisecond (services.messaging.conversations._newer)
    frozen_clock.ms += 1
    answered = _erase(client, tenant)
    erased_at = frozen_clock.ms
    # One truth: what DELETE answered is what is stored.
    assert client.get(f"/api/v1/contacts/erasures/{answered['id']}", headers=tenant.headers).get_json()[
        "state"] == answered["state"] == "done"
    frozen_clock.ms = erased_at + 300  # the bot's reply
    _message(client, tenant, "reply-after", "out")
    frozen_clock.ms = erased_at + 1000  # a worker that has not learned of the erasure yet stores an old message
    with monkeypatch.context() as unaware:
        unaware.setattr(ledger, "erased_before", lambda phones, at: False)
        _message(client, tenant, "late-old", sent_at=clock.iso(erased_at - 60_000))
    frozen_clock.ms = erased_at + 2000  # the user's next message, a fresh chat session, a new order
    assert send(client, "evolution", tenant, _evolution_message("THANKS-AFTER", erased_at + 2000)).get_json()[
        "accepted"] == 1
    assert client.put(f"/api/v1/chat-sessions/{CUSTOMER}", json={"state": {"step": 1}},
                      headers=tenant.headers).status_code in (200, 201)
    new_order = _order(client, tenant, "SO-AFTER")
    assert _run_pending_at(app, frozen_clock, erased_at + erasure.SWEEP_AFTER_MS) == 1  # the last sweep
    frozen_clock.ms = erased_at + 10_000
    _message(client, tenant, "later-in")
    assert _run_pending_at(app, frozen_clock, erased_at + 15_000) == 0  # nothing left to run
    for kept in ("reply-after", "THANKS-AFTER", "later-in"):
        assert stored(client, tenant, kept).status_code == 200, kept
    for gone in ("in-1", "out-1", "late-old"):
        assert stored(client, tenant, gone).status_code == 404, gone
    assert client.get(f"/api/v1/chat-sessions/{CUSTOMER}", headers=tenant.headers).get_json()["state"] == {"step": 1}
    assert client.get(f"/api/v1/orders/{new_order['id']}", headers=tenant.headers).get_json()[
        "recipient_phone"] == CUSTOMER
    summary = client.get(f"/api/v1/conversations/{CUSTOMER}/{BOT}", headers=tenant.headers).get_json()
    assert summary["message_count"] == 3 and summary["last_message"]["external_id"] == "later-in"
    with app.app_context(), tenant_scope(_tenant_id(app, tenant)):
        created = [e for e in event_data.resolved(list(scoped(Event).find({"type": "message.created"})))
                   if erasure_steps.mentions(e, CUSTOMER)]
        stored_erasure = scoped(Erasure).find_one({"_id": answered["id"]})
    assert sorted(e["data"]["external_id"] for e in created) == ["THANKS-AFTER", "later-in", "reply-after"]
    assert stored_erasure["state"] == "done" and stored_erasure["phone"] is None
    assert stored_erasure["erased"]["messages"] == 4  # in-1, out-1, the held one, late-old


def test_the_sweep_keeps_the_erasure_delivery_and_counts_deliveries_apart(app, client, tenant, frozen_clock):
    _message(client, tenant, "in-1")
    frozen_clock.ms += 1
    _message(client, tenant, "theirs", customer=LONGER, text=f"my old number was 4{CUSTOMER}0")
    tenant_id = _tenant_id(app, tenant)

    def pending_deliveries(fan_out=True):
        """Fan the events out to a slow endpoint (deliveries stay pending); the deliveries."""
        with app.app_context(), tenant_scope(tenant_id):
            for event in event_data.resolved(list(scoped(Event).find({}))) if fan_out else ():
                envelope = {"id": event["_id"], "type": event["type"], "subject": event["subject"],
                            "data": event["data"]}
                scoped(WebhookDelivery).update_one(
                    {"_id": f"ep_1:{event['_id']}"},
                    {"$set": {"endpoint_id": "ep_1", "event_id": event["_id"], "event_type": event["type"],
                              "envelope": json.loads(json.dumps(envelope, default=str)), "state": "pending",
                              "attempts": 0, "first_due_at": clock.now_ms(), "next_attempt_at": clock.now_ms()}},
                    upsert=True)
            return {d["event_type"]: d for d in scoped(WebhookDelivery).find({})}

    pending_deliveries()
    with app.app_context(), tenant_scope(tenant_id):  # in-1's, as a fan-out makes it...
        fanned_out_late = next(d for d in scoped(WebhookDelivery).find({})
                               if d["envelope"]["data"].get("external_id") == "in-1")
    erased = _erase(client, tenant)["erased"]
    assert set(pending_deliveries()) == {"message.created", "contact.erased"}  # fanned out, the endpoint slow
    with app.app_context(), tenant_scope(tenant_id):  # ...having read in-1's event just before the erasure
        scoped(WebhookDelivery).insert_one({**fanned_out_late, "_id": "ep_2:" + fanned_out_late["event_id"],
                                            "endpoint_id": "ep_2", "first_due_at": clock.now_ms()})
    assert _run_pending_at(app, frozen_clock, frozen_clock.ms + erasure.SWEEP_AFTER_MS) == 1
    left = pending_deliveries(fan_out=False)
    assert "contact.erased" in left and left["contact.erased"]["state"] == "pending"
    assert left["message.created"]["envelope"]["data"]["external_id"] == "theirs"
    assert stored(client, tenant, "theirs").status_code == 200
    assert (erased["events"], erased.get("deliveries")) == (1, 1)  # in-1's message.created, and its delivery
    with app.app_context(), tenant_scope(tenant_id):
        assert scoped(Erasure).find_one({})["erased"]["deliveries"] == 2  # and the one fanned out late
        assert scoped(WebhookDelivery).count({"endpoint_id": "ep_2"}) == 0


def test_archived_bodies_are_matched_by_whole_numbers(app, client, tenant):
    tenant_id = _tenant_id(app, tenant)
    with app.app_context(), tenant_scope(tenant_id):
        for phone in (OTHER, LONGER):
            webhook_archive.keep("evolution", json.dumps(_evolution_message(f"ID-{phone}", clock.now_ms(),
                                                                            phone)).encode())
        webhook_archive.keep("evolution", json.dumps({"data": {"id": f"x{OTHER}9"}}).encode())
    assert _erase(client, tenant, OTHER)["erased"]["archived_webhooks"] == 1
    with app.app_context(), tenant_scope(tenant_id):
        left = [kept["body"] for kept in scoped(WebhookArchive).find({})]
    assert len(left) == 2 and all(f"ID-{OTHER}" not in body for body in left)


def test_an_erasure_that_cannot_be_decrypted_is_failed_and_the_others_go_on(app, client, tenant, frozen_clock,
                                                                             monkeypatch):
    _message(client, tenant, "in-1")
    frozen_clock.ms += 1
    _message(client, tenant, "other-1", customer=OTHER)
    monkeypatch.setattr("blueprints.contacts._budget_s", lambda: 0)
    first = client.delete(f"/api/v1/contacts/{CUSTOMER}", headers=tenant.headers).get_json()
    second = client.delete(f"/api/v1/contacts/{OTHER}", headers=tenant.headers).get_json()
    assert first["state"] == second["state"] == "running"
    foreign = "fernet:" + Fernet(Fernet.generate_key()).encrypt(CUSTOMER.encode()).decode()  # another host's key
    with app.app_context(), tenant_scope(_tenant_id(app, tenant)):
        scoped(Erasure).update_one({"_id": first["id"]}, {"$set": {"phone": foreign}})
        assert secret_box.is_sealed(foreign)
    failures = metrics.ERASURE_FAILURES._value.get()
    assert _run_pending_at(app, frozen_clock, frozen_clock.ms + erasure.SWEEP_AFTER_MS) == 1
    states = {e["id"]: client.get(f"/api/v1/contacts/erasures/{e['id']}", headers=tenant.headers).get_json()["state"]
              for e in (first, second)}
    assert states == {first["id"]: "failed", second["id"]: "done"}
    assert metrics.ERASURE_FAILURES._value.get() == failures + 1
    assert stored(client, tenant, "other-1").status_code == 404
    assert _run_pending_at(app, frozen_clock, frozen_clock.ms + 5000) == 0  # the failed one is not tried again


def test_a_re_sent_erased_history_is_not_archived_again(app, client, tenant):
    app.config["WEBHOOK_ARCHIVE_DAYS"] = 30
    assert send(client, "evolution", tenant, "messages_upsert_text_inbound").get_json()["accepted"] == 1
    assert _erase(client, tenant)["erased"]["archived_webhooks"] == 1
    assert send(client, "evolution", tenant, "messages_upsert_text_inbound").get_json()["ignored"] == 1  # re-sent
    assert send(client, "evolution", tenant, _evolution_message("NEW-AFTER", clock.now_ms() + 1000)).get_json()[
        "accepted"] == 1
    with app.app_context(), tenant_scope(_tenant_id(app, tenant)):
        archived = [kept["body"] for kept in scoped(WebhookArchive).find({})]
    assert len(archived) == 1 and "NEW-AFTER" in archived[0]


def test_a_gateway_status_event_goes_with_the_erased_message(app, client, tenant):
    """A gateway status's event names its message by id only (no subject, no phone); it
    goes with the message, and with it the deliveries made of it."""
    assert send(client, "evolution", tenant, "send_message_outbound").status_code == 200
    assert send(client, "evolution", tenant, "messages_update_read").status_code == 200
    message_id = stored(client, tenant, EVO_OUT).get_json()["id"]
    tenant_id = _tenant_id(app, tenant)
    with app.app_context(), tenant_scope(tenant_id):
        statuses = list(scoped(Event).find({"ref": message_id, "type": "message.status_changed"}))
        assert statuses, "the status made an event"
        scoped(WebhookDelivery).insert_one({"_id": "e1:" + statuses[0]["_id"], "endpoint_id": "e1",
                                            "event_id": statuses[0]["_id"], "event_type": "message.status_changed",
                                            "state": "pending", "next_attempt_at": 0, "first_due_at": 0})
    _erase(client, tenant)
    with app.app_context(), tenant_scope(tenant_id):
        assert list(scoped(Event).find({"ref": message_id})) == []
        assert scoped(WebhookDelivery).find_one({"event_id": statuses[0]["_id"]}) is None
    feed = client.get("/api/v1/events?limit=200", headers=tenant.headers).get_json()["items"]
    assert [e for e in feed if (e.get("data") or {}).get("id") == message_id] == []
