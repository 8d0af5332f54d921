"""A WhatsApp gateway session (an Evolution instance, a WAHA session, a Cloud number)."""
from mongoengine import LongField, MapField, StringField

from models.tenancy import TenantDocument

SESSION_STATUSES = ("creating", "open", "connecting", "close", "destroyed")


class GatewaySession(TenantDocument):
    session_id = StringField(required=True)
    status = StringField(required=True, choices=SESSION_STATUSES)
    phone_number = StringField()
    created_at = LongField(required=True)
    updated_at = LongField(required=True)
    status_changed_at = LongField(required=True)
    # An event due for a change (services.events.event_log): {key: change time}, the latest time.
    events_due = MapField(LongField())
    events_due_at = LongField()

    meta = {
        "collection": "gateway_sessions",
        "indexes": [{"fields": ["tenant_id", "session_id"], "unique": True},
                    {"fields": ["tenant_id", "events_due_at"]}],
    }
