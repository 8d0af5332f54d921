"""Message payloads. Stored documents carry ranks and ms; these give the contract's shape."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from models import message as message_status
from schemas.fields import Phone, Timestamp
from schemas.pagination import PageQuerySchema, page_schema
from schemas.sessions import SESSION_ID
from services.clock import iso

MESSAGE_TYPES = ("text", "image", "audio", "video", "document", "sticker", "location", "contact",
                 "reaction", "other")
EXTERNAL_ID = validate.Length(min=1, max=256)
DIRECTIONS = ("in", "out")


class MediaSchema(Schema):
    url = fields.String(allow_none=True, dump_default=None, validate=validate.Length(max=4096),
                        metadata={"example": "https://gateway.example/media/abc.jpg"})
    mime_type = fields.String(allow_none=True, dump_default=None, validate=validate.Length(max=255),
                              metadata={"example": "image/jpeg"})
    caption = fields.String(allow_none=True, dump_default=None, validate=validate.Length(max=4096))
    id = fields.String(allow_none=True, dump_default=None, validate=validate.Length(max=256), metadata={
        "description": "The gateway's media id (Cloud API), to fetch the file from the gateway."})


class MessageCreateSchema(Schema):
    session_id = fields.String(required=True, validate=SESSION_ID, metadata={"example": "store-main"})
    sender = Phone(required=True, data_key="from")
    to = Phone(required=True, metadata={"example": "5511912345678"})
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    type = fields.String(load_default="text", validate=validate.OneOf(MESSAGE_TYPES))
    text = fields.String(allow_none=True, validate=validate.Length(max=65536),
                         metadata={"example": "Olá! Seu pedido saiu para entrega."})
    media = fields.Nested(MediaSchema, allow_none=True)
    external_id = fields.String(validate=EXTERNAL_ID, metadata={
        "description": "The gateway's message id; the same id again returns the stored message.",
        "example": "3EB0C767D71D4F6B1A2B"})
    status = fields.String(validate=validate.OneOf(message_status.STATUSES), metadata={
        "description": "Initial status (default: pending for out, delivered for in)."})
    at = Timestamp(data_key="sent_at", metadata={
        "description": "When the message was sent or received (default: now); its initial status carries this "
                       "time. A message dated at or before its contact's erasure is refused (409)."})

    @validates_schema
    def _text_messages_have_text(self, data, **kwargs):
        if data.get("type", "text") == "text" and not data.get("text"):
            raise ValidationError("A text message needs text.", "text")


class StatusUpdateSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(message_status.STATUSES),
                           metadata={"example": "delivered"})
    error = fields.String(allow_none=True, validate=validate.Length(max=2000),
                          metadata={"description": "Why it failed (kept with status failed)."})
    at = Timestamp(metadata={"description": "When the status happened (default: now)."})


def _status_history(message: dict) -> list:
    entries = message_status.history(message.get("status_times"))
    return [{"status": entry["status"], "at": iso(entry["at"])} for entry in entries]


STATUS_TIME_DOC = {"type": "string", "format": "date-time", "nullable": True,
                   "description": "When the message first reached this status, or null."}


def _status_time(status: str):
    return lambda message: iso((message.get("status_times") or {}).get(status))


class MessageSchema(Schema):
    id = fields.String(attribute="_id", metadata={"example": "6740a1b2c3d4e5f601234567"})
    session_id = fields.String()
    external_id = fields.String(allow_none=True, dump_default=None)
    conversation_id = fields.String(metadata={"example": "5511912345678:5511987654321"})
    sender = fields.String(attribute="from", data_key="from", metadata={"example": "5511912345678"})
    to = fields.String(metadata={"example": "5511987654321"})
    direction = fields.String(metadata={"example": "in", "enum": list(DIRECTIONS)})
    type = fields.String(metadata={"example": "text", "enum": list(MESSAGE_TYPES)})
    text = fields.String(allow_none=True, dump_default=None)
    media = fields.Nested(MediaSchema, allow_none=True, dump_default=None)
    status = fields.Function(lambda m: message_status.STATUS_OF_RANK[m["status_rank"]],
                             metadata={"example": "delivered", "type": "string",
                                       "enum": list(message_status.STATUSES)})
    status_history = fields.Function(_status_history, metadata={
        "type": "array", "items": {"type": "object", "required": ["status", "at"], "properties": {
            "status": {"type": "string", "enum": list(message_status.STATUSES)},
            "at": {"type": "string", "format": "date-time"}}},
        "example": [{"status": "sent", "at": "2026-11-22T10:15:30.123Z"}]})
    error = fields.String(allow_none=True, dump_default=None)
    sent_at = fields.Function(_status_time("sent"), metadata=STATUS_TIME_DOC)
    delivered_at = fields.Function(_status_time("delivered"), metadata=STATUS_TIME_DOC)
    read_at = fields.Function(_status_time("read"), metadata=STATUS_TIME_DOC)
    failed_at = fields.Function(_status_time("failed"), metadata=STATUS_TIME_DOC)
    created_at = Timestamp()
    updated_at = Timestamp()


class MessageListQuerySchema(PageQuerySchema):
    direction = fields.String(validate=validate.OneOf(DIRECTIONS))
    status = fields.String(validate=validate.OneOf(message_status.STATUSES))
    session_id = fields.String(validate=SESSION_ID)
    since = Timestamp(metadata={"description": "Only messages stored at or after this time."})
    until = Timestamp(metadata={"description": "Only messages stored before this time."})


MessagePageSchema = page_schema(MessageSchema, "MessagePage")
