"""A chatbot's state for one end user (flow, step, cart): one per (tenant, phone).

The state is stored as its JSON text, not as a sub-document: bots use keys MongoDB
field names cannot hold ('.' or a leading '$'), integers beyond 64 bits and deep
nesting, and the text comes back exactly as it went in on every database we run on.
Expiry is decided at read time from `last_activity` and the tenant's current TTL, so
a TTL change applies at once; `delete_expired` removes what no read can see anymore.
"""
import json

from mongoengine import LongField, StringField

from models.tenancy import TenantDocument


class ChatSession(TenantDocument):
    phone = StringField(required=True)
    state_json = StringField(required=True)
    last_activity = LongField(required=True)
    created_at = LongField(required=True)
    updated_at = LongField(required=True)

    meta = {
        "collection": "chat_sessions",
        "indexes": [
            {"fields": ["tenant_id", "phone"], "unique": True},
            {"fields": ["tenant_id", "last_activity"]},
        ],
    }


def encode_state(state: dict) -> str:
    """The stored (and size-checked) form: compact JSON; NaN and Infinity are refused."""
    return json.dumps(state, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
