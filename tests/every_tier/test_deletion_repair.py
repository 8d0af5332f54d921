"""A conversation deletion cut off midway is finished by the upkeep up to an hour later:
it removes what the deletion was for, and keeps the messages stored after it."""
from pymongo.errors import AutoReconnect

from models.tenancy import tenant_scope
from services.events import repair
from services.messaging import conversations
from services.tenancy import tenants
from tests.every_tier.test_privacy import _message
from tests.webhook_helpers import BOT, CUSTOMER, stored


def test_repairing_a_cut_off_deletion_keeps_messages_stored_after_it(app, client, tenant, frozen_clock, monkeypatch):
    _message(client, tenant, "before-1")
    _message(client, tenant, "before-2", "out")
    deleted_at = frozen_clock.ms = frozen_clock.ms + 1000
    with monkeypatch.context() as outage:  # marked, then the database went away
        def cut_off(*_args, **_kwargs):
            raise AutoReconnect("the database went away")
        outage.setattr(conversations, "finish_deletion", cut_off)
        assert client.delete(f"/api/v1/conversations/{CUSTOMER}/{BOT}", headers=tenant.headers).status_code == 503
    frozen_clock.ms = deleted_at + 60_000  # the conversation goes on
    _message(client, tenant, "after-1")
    frozen_clock.ms += 1
    _message(client, tenant, "after-2", "out")
    frozen_clock.ms = deleted_at + repair.GRACE_MS + 1
    with app.app_context(), tenant_scope(tenants.get_tenant(tenant.slug).id):
        assert repair.repair_events() == 1  # the conversation.deleted event
    assert [stored(client, tenant, m).status_code for m in ("before-1", "before-2", "after-1", "after-2")] == [
        404, 404, 200, 200]
    summary = client.get(f"/api/v1/conversations/{CUSTOMER}/{BOT}", headers=tenant.headers).get_json()
    assert (summary["message_count"], summary["inbound_count"], summary["outbound_count"]) == (2, 1, 1)
    assert summary["last_message"]["external_id"] == "after-2"
    listed = client.get(f"/api/v1/conversations/{CUSTOMER}/{BOT}/messages", headers=tenant.headers).get_json()
    assert sorted(m["external_id"] for m in listed["items"]) == ["after-1", "after-2"]
