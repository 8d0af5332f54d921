"""An order placed through a bot, with its money in integer minor units (hundredths).

`created_day` and `closed_day` are the tenant-local calendar days its events were
counted on, fixed when they happen: a later time zone change must not move them, or
rebuilt statistics would differ from the incremental ones.
"""
from mongoengine import DictField, IntField, ListField, LongField, MapField, StringField

from models.tenancy import TenantDocument

ORDER_STATUSES = ("pending", "completed", "cancelled")


class Order(TenantDocument):
    id = StringField(primary_key=True)
    external_order_id = StringField(required=True)
    recipient_phone = StringField(required=True)
    currency = StringField(required=True)
    items = ListField(DictField(), required=True)  # {product_type, sku, name, quantity, unit_price, total}
    total = LongField(required=True)
    revenue = LongField()  # set on completion
    status = StringField(required=True, choices=ORDER_STATUSES)
    created_day = StringField(required=True)
    closed_day = StringField()
    created_at = LongField(required=True)
    updated_at = LongField(required=True)
    completed_at = LongField()
    cancelled_at = LongField()
    # Events not yet fully counted in the statistics, see services.commerce.order_counting.
    uncounted = MapField(IntField())
    uncounted_at = LongField()
    counting_by = StringField()  # who finishes those counts (an upkeep run, a rebuild) ...
    counting_until = LongField()  # ... until when: then another may take them over
    # An event due for a change (services.events.event_log): {key: change time}, the latest time.
    events_due = MapField(LongField())
    events_due_at = LongField()

    # Pages sort on (created_at, _id); _id stays out of compound indexes (nx-27017).
    meta = {
        "collection": "orders",
        "indexes": [
            {"fields": ["tenant_id", "external_order_id"], "unique": True},
            {"fields": ["tenant_id", "-created_at"]},
            {"fields": ["tenant_id", "status", "-created_at"]},
            {"fields": ["tenant_id", "uncounted_at"]},
            {"fields": ["tenant_id", "events_due_at"]},
        ],
    }
