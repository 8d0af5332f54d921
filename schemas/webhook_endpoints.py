"""Webhook endpoints: where a tenant's events are pushed, and the delivery log."""
from marshmallow import Schema, fields, validate

from models.event import EVENT_TYPES
from schemas.fields import Timestamp
from schemas.pagination import PageQuerySchema, page_schema

TYPES = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), validate=validate.Length(max=len(EVENT_TYPES)),
                    metadata={"description": "Event types to receive; omitted or empty: every type.",
                              "example": ["message.created", "order.completed"]})


class EndpointCreateSchema(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2048), metadata={
        "description": "http or https. Loopback, private and link-local addresses are 422 unless "
                       "OUTBOUND_ALLOW_PRIVATE=true; the address is checked again at every delivery.",
        "example": "https://bot.example.com/chatkeep-events"})
    types = TYPES
    description = fields.String(validate=validate.Length(max=500), allow_none=True)


class EndpointPatchSchema(Schema):
    url = fields.String(validate=validate.Length(min=1, max=2048))
    types = TYPES
    description = fields.String(validate=validate.Length(max=500), allow_none=True)
    enabled = fields.Boolean(metadata={"description": "false pauses deliveries: the endpoint keeps its place, and true "
                                                      "sends what it missed, oldest first (within "
                                                      "EVENTS_RETENTION_DAYS), then what is new; true also clears "
                                                      "disabled_reason."})


class EndpointSchema(Schema):
    id = fields.String(metadata={"example": "we_5f2a9c1e0b7d4e3a8c6f1b2d"})
    url = fields.String()
    types = fields.List(fields.String(metadata={"enum": list(EVENT_TYPES)}))
    description = fields.String(allow_none=True, dump_default=None)
    enabled = fields.Boolean()
    disabled_reason = fields.String(allow_none=True, dump_default=None, metadata={
        "description": "Why ChatKeep disabled it: every delivery failed for 3 days."})
    created_at = Timestamp()
    updated_at = Timestamp()


class EndpointWithSecretSchema(EndpointSchema):
    secret = fields.String(metadata={
        "description": "Signs every delivery (ChatKeep-Signature). Shown only on creation and rotation.",
        "example": "whsec_..."})


class AttemptSchema(Schema):
    event_id = fields.String()
    event_type = fields.String(metadata={"example": "message.created", "enum": list(EVENT_TYPES)})
    attempt = fields.Integer(metadata={"example": 1})
    status_code = fields.Integer(allow_none=True, dump_default=None,
                                 metadata={"description": "null when no answer came."})
    error = fields.String(allow_none=True, dump_default=None, metadata={"example": "answered 503"})
    duration_ms = fields.Integer()
    delivered_at = Timestamp(allow_none=True, dump_default=None)
    next_attempt_at = Timestamp(allow_none=True, dump_default=None, metadata={
        "description": "When it is tried again; null once delivered or given up."})


EndpointPageSchema = page_schema(EndpointSchema, "WebhookEndpointPage")
AttemptPageSchema = page_schema(AttemptSchema, "WebhookDeliveryPage")
DeliveryQuerySchema = PageQuerySchema
