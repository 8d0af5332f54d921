"""Gateway session payloads."""
from marshmallow import Schema, fields, validate

from models.gateway_session import SESSION_STATUSES
from schemas.fields import Phone, Timestamp
from schemas.pagination import PageQuerySchema, page_schema

SESSION_ID = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}\Z",
                             error="1-128 characters: letters, digits and . _ : @ -")


class SessionPutSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(SESSION_STATUSES),
                           metadata={"example": "open"})
    phone_number = Phone(allow_none=True)


class SessionSchema(Schema):
    session_id = fields.String(metadata={"example": "store-main"})
    status = fields.String(metadata={"example": "open"})
    phone_number = fields.String(allow_none=True, metadata={"example": "5511987654321"})
    created_at = Timestamp()
    updated_at = Timestamp()
    status_changed_at = Timestamp()


class SessionListQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(SESSION_STATUSES))


SessionPageSchema = page_schema(SessionSchema, "SessionPage")
