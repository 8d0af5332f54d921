"""A tenant's doorbell for the Kafka publisher: when its events were last written (ms).

Global (one per tenant, not tenant-owned data): the publisher asks "whose events were
written lately?" in one query, whatever the number of tenants (services.events.doorbell).
"""
from mongoengine import Document, LongField, StringField


class EventBell(Document):
    id = StringField(primary_key=True)  # the tenant's id
    at = LongField(required=True)

    meta = {"collection": "event_bells", "indexes": [{"fields": ["at"]}]}
