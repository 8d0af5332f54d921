"""Tenants' webhook endpoints, and the deliveries of events to them.

An endpoint's secret is stored encrypted (services.secret_box). A delivery is the work
item "this event, to this endpoint": its id joins the two, so fanning an event out
twice never makes a second delivery. Each attempt is kept in the endpoint's delivery log
(WebhookAttempt). The dispatch cursor is how far each tenant's event feed has been fanned
out to its endpoints.
"""
from mongoengine import BooleanField, DictField, IntField, ListField, LongField, StringField

from models.tenancy import TenantDocument

DELIVERY_STATES = ("pending", "delivered", "given_up")


class WebhookEndpoint(TenantDocument):
    id = StringField(primary_key=True)
    url = StringField(required=True)
    types = ListField(StringField())  # empty: every type
    description = StringField()
    enabled = BooleanField(default=True)
    disabled_reason = StringField()
    secret = StringField(required=True)  # ciphertext
    failing_since = LongField(default=0)  # the first failure since the last success; 0: healthy
    paused_until = LongField(default=0)  # after a failure, no attempt to this endpoint before this
    created_at = LongField(required=True)
    updated_at = LongField(required=True)

    meta = {
        "collection": "webhook_endpoints",
        "indexes": [{"fields": ["tenant_id", "created_at"]}, {"fields": ["tenant_id", "enabled"]}],
    }


class WebhookDelivery(TenantDocument):
    id = StringField(primary_key=True)  # "<endpoint id>:<event id>"
    endpoint_id = StringField(required=True)
    event_id = StringField(required=True)
    event_type = StringField(required=True)
    envelope = DictField(required=True)  # what is POSTed, fixed at fan-out
    state = StringField(required=True, choices=DELIVERY_STATES)
    attempts = IntField(default=0)
    first_due_at = LongField(required=True)
    next_attempt_at = LongField()  # while pending

    meta = {
        "collection": "webhook_deliveries",
        "indexes": [{"fields": ["tenant_id", "state", "next_attempt_at"]},
                    {"fields": ["tenant_id", "state", "first_due_at"]},
                    {"fields": ["tenant_id", "endpoint_id", "state"]},
                    {"fields": ["tenant_id", "event_id"]}],  # an erasure removes its events' deliveries
    }


class WebhookAttempt(TenantDocument):
    """One attempt, for the endpoint's delivery log."""
    id = StringField(primary_key=True)  # "<delivery id>:<attempt>"
    endpoint_id = StringField(required=True)
    event_id = StringField(required=True)
    event_type = StringField(required=True)
    attempt = IntField(required=True)
    status_code = IntField()
    error = StringField()
    duration_ms = IntField(required=True)
    at = LongField(required=True)
    delivered_at = LongField()
    next_attempt_at = LongField()

    meta = {
        "collection": "webhook_attempts",
        "indexes": [{"fields": ["tenant_id", "endpoint_id", "at"]}],  # _id in a compound index fails nx-27017 inserts
    }


class WebhookDispatch(TenantDocument):
    """How far the tenant's event feed has been fanned out to its endpoints."""
    after = StringField(required=True)  # a feed position
    meta = {"collection": "webhook_dispatch", "indexes": [{"fields": ["tenant_id"], "unique": True}]}
