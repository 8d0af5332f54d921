"""The materialised summary of one conversation, kept current on every message write.

Listing conversations reads these, never the messages. The last message is held by
id (fetched in one `$in` query per page), so a status change never touches this.
"""
from mongoengine import IntField, ListField, LongField, MapField, StringField

from models.tenancy import TenantDocument


class Conversation(TenantDocument):
    conversation_id = StringField(required=True)
    participants = ListField(StringField(), required=True)
    session_id = StringField()
    last_message_id = StringField(required=True)
    last_message_at = LongField(required=True)
    message_count = IntField(default=0)
    inbound_count = IntField(default=0)
    outbound_count = IntField(default=0)
    unread_count = IntField(default=0)
    read_marked_at = LongField(default=0)  # inbound messages after this are unread
    created_at = LongField(required=True)
    updated_at = LongField(required=True)
    # An event due for a change (services.events.event_log): {key: change time}, the latest time.
    events_due = MapField(LongField())
    events_due_at = LongField()

    meta = {
        "collection": "conversations",
        "indexes": [
            {"fields": ["tenant_id", "conversation_id"], "unique": True},
            {"fields": ["tenant_id", "-last_message_at", "-conversation_id"]},
            {"fields": ["tenant_id", "session_id", "-last_message_at", "-conversation_id"]},
            {"fields": ["tenant_id", "events_due_at"]},
        ],
    }


class ConversationRepair(TenantDocument):
    """A conversation whose summary may be short by a message: a duplicate of that
    message found it uncounted (an earlier attempt cut off between its two writes).
    services.messaging.conversation_repairs re-derives the summary outside the request
    once `due_at` has passed; the mark is removed when done."""
    conversation_id = StringField(required=True)
    message_id = StringField(required=True)  # the message found uncounted, re-checked first
    message_at = LongField(required=True)
    due_at = LongField(required=True)  # ms; a moment later, for a write still in flight to land

    meta = {
        "collection": "conversation_repairs",
        "indexes": [{"fields": ["tenant_id", "conversation_id"], "unique": True}],
    }
