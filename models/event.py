"""One stored change, as an event (services.events): the feed's and Kafka's source.

`pos` is the event's place in its tenant's feed: the writer's clock (ms, 13 digits)
when it made the change, then what names the change, so it sorts by time and is
unique per tenant (docs/EVENTS.md). `data` is the changed document as stored, or for a
message's event (`ref`: the message's id) only what changed, the message being read
when the event is (services.events.event_data); the envelope is rendered when it is read. `published` is 1 once Kafka acknowledged it.
"""
from mongoengine import DictField, IntField, LongField, StringField

from models.tenancy import TenantDocument

EVENT_TYPES = ("message.created", "message.status_changed", "conversation.read", "conversation.deleted",
               "session.status_changed", "order.created", "order.completed", "order.cancelled", "contact.erased")


class Event(TenantDocument):
    id = StringField(primary_key=True)  # deterministic: the same change never makes two
    pos = StringField(required=True)
    type = StringField(required=True, choices=EVENT_TYPES)
    subject = StringField(required=True)
    time = LongField(required=True)  # when the change happened
    data = DictField()
    ref = StringField()  # a message's event: the message's id
    published = IntField(default=0)

    meta = {
        "collection": "events",
        "indexes": [
            {"fields": ["tenant_id", "pos"]},
            {"fields": ["tenant_id", "type", "pos"]},
            {"fields": ["tenant_id", "published", "pos"]},
        ],
    }
