"""Per-day analytics rollups (services.analytics.rollups): one document per tenant-local day.

`all` holds the day's figures for the whole tenant; `sessions` those of each gateway
session, as {"<n>": {"session_id", ...figures}} (session ids may hold dots, which field
names may not). `as_of` (ms): every change of a message with an earlier `updated_at` is
in the figures; `rev` tells one write from another; `tz` is the zone the day was cut in.
No phone is stored: a contact is counted, never named.
"""
from mongoengine import DictField, LongField, StringField

from models.tenancy import TenantDocument


class AnalyticsDay(TenantDocument):
    day = StringField(required=True)  # YYYY-MM-DD, tenant-local
    tz = StringField(required=True)
    as_of = LongField(required=True)
    rev = StringField(required=True)
    all = DictField()
    sessions = DictField()

    meta = {"collection": "analytics_days", "indexes": [{"fields": ["tenant_id", "day"], "unique": True}]}
