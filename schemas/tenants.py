"""Admin payloads for tenants. Secrets appear only in the create/rotate responses."""
from marshmallow import Schema, ValidationError, fields, validate, validates

from schemas.fields import Timestamp
from schemas.pagination import page_schema
from services.clock import is_known_timezone

SLUG = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,62}\Z",
                       error="Must be 2-63 characters: lowercase letters, digits and dashes, "
                             "not starting with a dash.")


class TenantCreateSchema(Schema):
    slug = fields.String(required=True, validate=SLUG, metadata={"example": "acme"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                         metadata={"example": "Acme Store"})


class TenantSettingsSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    cloud_app_secret = fields.String(allow_none=True, validate=validate.Length(min=1, max=256),
                                     load_only=True)
    # Chosen by the operator and sent by Meta in a query string: long enough not to be guessed.
    cloud_verify_token = fields.String(allow_none=True, validate=validate.Length(min=16, max=256),
                                       load_only=True)
    chat_session_ttl_hours = fields.Integer(validate=validate.Range(min=1, max=24 * 365))
    timezone = fields.String(validate=validate.Length(min=1, max=64),
                             metadata={"example": "America/Sao_Paulo"})
    message_retention_days = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=36500), metadata={
        "description": "Messages older than this are deleted by the hourly upkeep; null keeps them for ever."})

    @validates("timezone")
    def _known_timezone(self, value, **kwargs):
        if not is_known_timezone(value):
            raise ValidationError("Not a known IANA time zone.")


def _is_set(tenant, name: str) -> bool:
    """Whether a secret setting is configured, without ever returning it."""
    return bool(tenant.get(name) if isinstance(tenant, dict) else getattr(tenant, name))


class TenantSchema(Schema):
    slug = fields.String(metadata={"example": "acme"})
    name = fields.String(metadata={"example": "Acme Store"})
    chat_session_ttl_hours = fields.Integer(metadata={"example": 24})
    timezone = fields.String(metadata={"example": "UTC"})
    message_retention_days = fields.Integer(allow_none=True, dump_default=None, metadata={"example": None})
    cloud_app_secret_set = fields.Function(lambda t: _is_set(t, "cloud_app_secret"), metadata={"type": "boolean"})
    cloud_verify_token_set = fields.Function(lambda t: _is_set(t, "cloud_verify_token"), metadata={"type": "boolean"})
    created_at = Timestamp()
    updated_at = Timestamp()


class TenantCreatedSchema(TenantSchema):
    api_key = fields.String(metadata={"description": "Shown only once; stored hashed.",
                                      "example": "ck_live_9hV3..."})
    webhook_token = fields.String(metadata={"description": "Shown only once; stored hashed.",
                                            "example": "ck_hook_Qm2..."})


class ApiKeySchema(Schema):
    slug = fields.String()
    api_key = fields.String(metadata={"description": "The new key; the old one stops working."})


class WebhookTokenSchema(Schema):
    slug = fields.String()
    webhook_token = fields.String(metadata={"description": "The new token; the old one stops working."})


TenantPageSchema = page_schema(TenantSchema, "TenantPage")
