"""The tenant: the root of isolation, so it is the one document not tenant-scoped."""
from mongoengine import Document, IntField, LongField, StringField


class Tenant(Document):
    id = StringField(primary_key=True)
    slug = StringField(required=True, unique=True)
    name = StringField(required=True)
    api_key_hash = StringField(required=True, unique=True)
    webhook_token_hash = StringField(required=True, unique=True)
    cloud_app_secret = StringField()
    cloud_verify_token = StringField()
    chat_session_ttl_hours = IntField(default=24)
    timezone = StringField(default="UTC")
    message_retention_days = IntField(null=True)  # None: messages are kept for ever
    created_at = LongField(required=True)
    updated_at = LongField(required=True)
    # One more on every change: two changes can share updated_at's millisecond, and
    # the last-known files tell a changed tenant by (updated_at, version).
    version = IntField(default=0)

    meta = {"collection": "tenants", "indexes": [{"fields": ["updated_at"]}]}
