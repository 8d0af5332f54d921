"""A WhatsApp gateway session (an Evolution instance, a WAHA session, a Cloud number).

A session may be linked to its gateway (`linked`, the `link_*` fields) so ChatKeep can
ask the gateway how it is; the link's API key is stored encrypted (services.secret_box).
"""
from mongoengine import BooleanField, LongField, MapField, StringField

from models.tenancy import TenantDocument

SESSION_STATUSES = ("creating", "open", "connecting", "close", "destroyed")
GATEWAY_KINDS = ("evolution", "waha", "cloud")


class GatewaySession(TenantDocument):
    session_id = StringField(required=True)
    status = StringField(required=True, choices=SESSION_STATUSES)
    phone_number = StringField()
    created_at = LongField(required=True)
    updated_at = LongField(required=True)
    status_changed_at = LongField(required=True)
    linked = BooleanField()
    link_kind = StringField(choices=GATEWAY_KINDS)
    link_base_url = StringField()
    link_instance = StringField()
    link_api_key = StringField()  # ciphertext
    last_sync_at = LongField()  # the last attempt, successful or not
    last_sync_error = StringField()
    gateway_state = StringField()  # the gateway's own word at the last successful sync
    synced_at = LongField()  # the last successful sync
    # An event due for a change (services.events.event_log): {key: change time}, the latest time.
    events_due = MapField(LongField())
    events_due_at = LongField()

    meta = {
        "collection": "gateway_sessions",
        "indexes": [{"fields": ["tenant_id", "session_id"], "unique": True},
                    {"fields": ["tenant_id", "linked"]},
                    {"fields": ["tenant_id", "events_due_at"]}],
    }
