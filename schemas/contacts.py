"""A contact's erasure as the API shows it (the export streams the API's own shapes)."""
from marshmallow import Schema, fields

from schemas.chat_sessions import ChatSessionSchema
from schemas.conversations import ConversationSchema
from schemas.fields import Timestamp
from schemas.messages import MessageSchema
from schemas.orders import OrderSchema


class ErasedCountsSchema(Schema):
    messages = fields.Integer()
    conversations = fields.Integer()
    chat_sessions = fields.Integer()
    orders_anonymised = fields.Integer()
    archived_webhooks = fields.Integer()
    events = fields.Integer(metadata={"description": "Events about the contact removed from the event log."})
    deliveries = fields.Integer(metadata={"description": "Webhook deliveries of those events removed (the "
                                                         "contact.erased event's are never)."})


class ErasureSchema(Schema):
    phone = fields.String(metadata={"description": "Only in the DELETE answer, which the caller asked with it."})
    id = fields.String(metadata={"example": "er_5f2a9c1e0b7d4e3a8c6f1b2d"})
    state = fields.String(metadata={"description": "running (poll its Location), done, or failed (its phone could "
                                                   "not be decrypted with SECRET_KEY: see the log).",
                                    "enum": ["running", "done", "failed"]})
    erased_at = Timestamp()
    erased = fields.Nested(ErasedCountsSchema)
    finished_at = Timestamp(allow_none=True, dump_default=None)


class ContactExportSchema(Schema):
    """What GET /contacts/<phone>/export streams (blueprints.contacts writes it piece by piece)."""

    phone = fields.String(metadata={"example": "5511912345678"})
    exported_at = Timestamp()
    messages = fields.List(fields.Nested(MessageSchema))
    conversations = fields.List(fields.Nested(ConversationSchema))
    chat_session = fields.Nested(ChatSessionSchema, allow_none=True)
    orders = fields.List(fields.Nested(OrderSchema))
