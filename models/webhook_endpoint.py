"""Tenants' webhook endpoints, and the deliveries of events to them.

An endpoint's secret is stored encrypted (services.secret_box). A delivery is the work
item "this event, to this endpoint": its id joins the two, so fanning an event out
twice never makes a second delivery. It holds no copy of the event: the envelope is
rendered from the event log when it is sent (a message's text and phones live in one
place, and go with the event's retention and erasure). Each attempt is kept in the
endpoint's delivery log (WebhookAttempt); delivered and given-up deliveries and their
attempts are pruned after WEBHOOK_LOG_RETENTION_DAYS.

Two global documents drive the one delivering process (services.events.webhook_engine):
WebhookCursor, how far the deployment's event log has been fanned out, and WebhookLane,
one per endpoint, saying when it next has work, so the process asks for what is due
instead of looking at every tenant.
"""
from mongoengine import BooleanField, Document, IntField, ListField, LongField, StringField

from models.tenancy import TenantDocument

DELIVERY_STATES = ("pending", "sending", "delivered", "given_up")


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
    subject = StringField(required=True)  # a hash of it: one subject's deliveries go out in `pos` order
    pos = StringField(required=True)  # the event's position in the feed
    state = StringField(required=True, choices=DELIVERY_STATES)
    attempts = IntField(default=0)
    first_due_at = LongField(required=True)
    next_attempt_at = LongField()  # while pending
    claim_until = LongField(default=0)  # while sending: the claim lapses then (a sender that died)
    claimed_by = StringField()
    done_at = LongField()  # delivered or given up: pruned WEBHOOK_LOG_RETENTION_DAYS after

    meta = {
        "collection": "webhook_deliveries",
        "indexes": [{"fields": ["tenant_id", "endpoint_id", "state", "pos"]},  # a lane's next deliveries
                    {"fields": ["tenant_id", "state", "done_at"]},  # the upkeep's pruning
                    {"fields": ["tenant_id", "event_id"]}],  # an erasure's deliveries of its events
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
        "indexes": [{"fields": ["tenant_id", "endpoint_id", "at"]},  # _id in a compound index fails nx-27017 inserts
                    {"fields": ["tenant_id", "at"]}],  # the upkeep's pruning
    }


class WebhookCursor(Document):
    """Global: how far the event log of every tenant with an endpoint has been fanned out.
    `fast_after` follows events as they commit (push does not wait for the feed's settle
    window); `settled_after` follows the settled feed, to catch an event that committed
    late behind `fast_after`. Absent (a new deployment, a restore): it starts at now."""
    id = StringField(primary_key=True)
    fast_after = StringField(required=True)
    settled_after = StringField(required=True)
    meta = {"collection": "webhook_cursor"}


class WebhookLane(Document):
    """Global, one per endpoint: when it next has deliveries due (None: nothing). `due_seq`
    counts fan-outs to it, so a lane ending does not overwrite work added meanwhile."""
    id = StringField(primary_key=True)  # the endpoint id
    tenant_id = StringField(required=True)
    due_at = LongField()
    due_seq = IntField(default=0)
    slow = BooleanField(default=False)  # its last attempt failed or took long: a lane of the slow class
    joined = BooleanField(default=True)  # False from its creation until the fan-out has caught it up
    changed = BooleanField(default=False)  # the endpoint was created or changed: the engine reads endpoints again
    deleted = BooleanField(default=False)  # the endpoint was deleted: the engine drops the lane (drop_lane)
    meta = {"collection": "webhook_lanes", "indexes": [{"fields": ["due_at"]}]}
