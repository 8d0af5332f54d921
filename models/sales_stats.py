"""Sales statistics, kept by `$inc` on every order event: all-time totals and days.

Both hold orders, completed, cancelled, revenue (minor units) and by_product_type
{type: {orders, completed, revenue}}; product types are validated to be safe field
names. A day is a tenant-local calendar date, "YYYY-MM-DD", so it sorts as text.
"""
from mongoengine import DictField, LongField, StringField

from models.tenancy import TenantDocument


class SalesTotal(TenantDocument):
    orders = LongField(default=0)
    completed = LongField(default=0)
    cancelled = LongField(default=0)
    revenue = LongField(default=0)
    by_product_type = DictField()

    meta = {"collection": "sales_totals", "indexes": [{"fields": ["tenant_id"], "unique": True}]}


class SalesDay(TenantDocument):
    date = StringField(required=True)
    orders = LongField(default=0)
    completed = LongField(default=0)
    cancelled = LongField(default=0)
    revenue = LongField(default=0)
    by_product_type = DictField()

    meta = {"collection": "sales_daily", "indexes": [{"fields": ["tenant_id", "date"], "unique": True}]}
