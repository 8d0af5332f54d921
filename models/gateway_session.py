"""A WhatsApp gateway session (an Evolution instance, a WAHA session, a Cloud number)."""
from mongoengine import LongField, StringField

from models.tenancy import TenantDocument

SESSION_STATUSES = ("creating", "open", "connecting", "close", "destroyed")


class GatewaySession(TenantDocument):
    session_id = StringField(required=True)
    status = StringField(required=True, choices=SESSION_STATUSES)
    phone_number = StringField()
    created_at = LongField(required=True)
    updated_at = LongField(required=True)
    status_changed_at = LongField(required=True)

    meta = {
        "collection": "gateway_sessions",
        "indexes": [{"fields": ["tenant_id", "session_id"], "unique": True}],
    }
