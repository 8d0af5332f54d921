"""A webhook body kept verbatim (WEBHOOK_ARCHIVE_DAYS > 0), to re-ingest after a fix."""
from mongoengine import LongField, StringField

from models.tenancy import TenantDocument


class WebhookArchive(TenantDocument):
    gateway = StringField(required=True)
    body = StringField(required=True)
    received_at = LongField(required=True)

    meta = {"collection": "webhook_archive", "indexes": [{"fields": ["tenant_id", "received_at"]}]}
