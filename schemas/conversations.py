"""Conversation summaries as listed."""
from marshmallow import Schema, fields

from schemas.fields import Timestamp
from schemas.messages import MessageSchema
from schemas.pagination import PageQuerySchema, page_schema
from schemas.sessions import SESSION_ID


class ConversationSchema(Schema):
    conversation_id = fields.String(metadata={"example": "5511912345678:5511987654321"})
    participants = fields.List(fields.String(), metadata={"example": ["5511912345678", "5511987654321"]})
    session_id = fields.String(allow_none=True, dump_default=None)
    last_message = fields.Nested(MessageSchema, allow_none=True, dump_default=None)
    last_message_at = Timestamp()
    message_count = fields.Integer()
    inbound_count = fields.Integer()
    outbound_count = fields.Integer()
    unread_count = fields.Integer()


class ConversationListQuerySchema(PageQuerySchema):
    session_id = fields.String(validate=SESSION_ID)


ConversationPageSchema = page_schema(ConversationSchema, "ConversationPage")
