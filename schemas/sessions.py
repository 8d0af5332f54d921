"""Gateway session payloads."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from models.gateway_session import GATEWAY_KINDS, SESSION_STATUSES
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
    status = fields.String(metadata={"example": "open", "enum": list(SESSION_STATUSES)})
    phone_number = fields.String(allow_none=True, dump_default=None, metadata={"example": "5511987654321"})
    created_at = Timestamp()
    updated_at = Timestamp()
    status_changed_at = Timestamp()
    gateway_state = fields.String(allow_none=True, dump_default=None, metadata={
        "description": "The gateway's own word for the session at the last successful sync "
                       "(see PUT /api/v1/sessions/{session_id}/gateway); null if never synced.",
        "example": "WORKING"})
    synced_at = Timestamp(allow_none=True, dump_default=None,
                          metadata={"description": "The last successful sync; null if never."})


class GatewayLinkPutSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(GATEWAY_KINDS), metadata={"example": "waha"})
    base_url = fields.String(validate=validate.Length(max=2048), metadata={
        "description": "The gateway's API root, http or https; for `cloud` it defaults to the Graph API. "
                       "Loopback and private addresses are refused unless OUTBOUND_ALLOW_PRIVATE=true.",
        "example": "https://waha.example.com"})
    api_key = fields.String(required=True, validate=validate.Length(min=1, max=4096), load_only=True, metadata={
        "description": "Evolution `apikey`, WAHA `X-Api-Key` or a Cloud API access token; stored encrypted, "
                       "never returned."})
    instance = fields.String(validate=validate.Length(min=1, max=256), metadata={
        "description": "The gateway's name for the session (Evolution instance, WAHA session, Cloud phone "
                       "number id); defaults to the session id."})

    @validates_schema
    def _base_url_for_kind(self, data, **_kwargs):
        if data.get("kind") in ("evolution", "waha") and not data.get("base_url"):
            raise ValidationError("Required for evolution and waha.", "base_url")


class GatewayLinkSchema(Schema):
    kind = fields.String(metadata={"example": "waha", "enum": list(GATEWAY_KINDS)})
    base_url = fields.String(metadata={"example": "https://waha.example.com"})
    instance = fields.String(metadata={"example": "default"})
    api_key_set = fields.Boolean(metadata={"example": True})
    last_sync_at = Timestamp(allow_none=True, dump_default=None)
    last_sync_error = fields.String(allow_none=True, dump_default=None, metadata={"example": None})


class SessionListQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(SESSION_STATUSES))


SessionPageSchema = page_schema(SessionSchema, "SessionPage")
