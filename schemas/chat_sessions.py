"""Chat session payloads: a bot's state per end user."""
from flask import current_app
from marshmallow import Schema, ValidationError, fields, validates

from models.chat_session import encode_state
from schemas.fields import Timestamp
from schemas.pagination import PageQuerySchema, page_schema
from services.clock import CLOCK_SKEW_MS, now_ms

STATE_DOC = ("Any JSON object, returned exactly as stored. At most CHAT_STATE_MAX_BYTES "
             "(default 65536) bytes as compact UTF-8 JSON; larger: 422 naming `state`.")


class ChatSessionPutSchema(Schema):
    state = fields.Dict(required=True, metadata={
        "description": STATE_DOC,
        "example": {"flow": "checkout", "step": 2, "cart": [{"sku": "TSHIRT-M", "qty": 1}]}})
    last_activity = Timestamp(metadata={
        "description": "When the end user was last active; kept exactly as given (default: now). "
                       "The session expires chat_session_ttl_hours (a tenant setting) after it."})

    @validates("last_activity")
    def _not_ahead(self, value, **kwargs):
        # A time ahead would keep the session from expiring until then; allow clock skew.
        if value > now_ms() + CLOCK_SKEW_MS:
            raise ValidationError("Is in the future; send when the end user was last active.")

    @validates("state")
    def _fits(self, value, **kwargs):
        try:
            size = len(encode_state(value).encode("utf-8", "surrogatepass"))
        except ValueError:
            raise ValidationError("Must be plain JSON (no NaN or Infinity).") from None
        limit = current_app.config["CHAT_STATE_MAX_BYTES"]
        if size > limit:
            raise ValidationError(f"Is {size} bytes as JSON; the limit is {limit}.")


class ChatSessionSchema(Schema):
    phone = fields.String(metadata={"example": "5511912345678"})
    state = fields.Dict(metadata={"example": {"flow": "checkout", "step": 2}})
    last_activity = Timestamp()
    created_at = Timestamp()
    updated_at = Timestamp()
    expires_at = Timestamp(metadata={"description": "last_activity + the tenant's chat_session_ttl_hours; "
                                                    "after it the session answers 404 and is no longer listed."})


ChatSessionListQuerySchema = PageQuerySchema
ChatSessionPageSchema = page_schema(ChatSessionSchema, "ChatSessionPage")
