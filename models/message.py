"""A WhatsApp message, inbound or outbound, with its delivery status.

Stored fields differ from the wire in three ways, each for cross-database safety:
times are epoch milliseconds, the status is an integer rank (`status_rank`, so
`$max` moves it forward atomically), and history entries are "status@ms" strings
(nx-27017 turns pushed sub-documents into JSON strings).
"""
from mongoengine import DictField, IntField, ListField, LongField, StringField

from models.tenancy import TenantDocument


class Message(TenantDocument):
    id = StringField(primary_key=True)
    session_id = StringField(required=True)
    external_id = StringField()
    # "x:<external_id>", or "id:<id>" when there is none. A sparse compound index
    # would not help: with tenant_id always present MongoDB indexes every document,
    # and all the ones lacking an external id would collide on null.
    unique_key = StringField(required=True)
    conversation_id = StringField(required=True)
    sender = StringField(db_field="from", required=True)
    to = StringField(required=True)
    direction = StringField(required=True, choices=("in", "out"))
    type = StringField(required=True)
    text = StringField()
    media = DictField()
    status_rank = IntField(required=True)
    status_history = ListField(StringField())
    error = StringField()
    sent_at = LongField()
    delivered_at = LongField()
    read_at = LongField()
    failed_at = LongField()
    created_at = LongField(required=True)
    updated_at = LongField(required=True)

    # Pages sort on (created_at, _id); _id stays out of the compound indexes because
    # nx-27017 cannot index it inside one (it fails every insert).
    meta = {
        "collection": "messages",
        "indexes": [
            {"fields": ["tenant_id", "unique_key"], "unique": True},
            {"fields": ["tenant_id", "-created_at"]},
            {"fields": ["tenant_id", "conversation_id", "-created_at"]},
            {"fields": ["tenant_id", "session_id", "-created_at"]},
        ],
    }
