"""A legacy file already imported for a tenant: running the import twice adds nothing."""
from mongoengine import LongField, StringField

from models.tenancy import TenantDocument


class LegacyImport(TenantDocument):
    file_name = StringField(required=True)
    sha256 = StringField(required=True)
    imported_at = LongField(required=True)
    counts_json = StringField()  # what a statistics file added, so `stats rebuild` keeps it

    meta = {"collection": "legacy_imports",
            "indexes": [{"fields": ["tenant_id", "file_name", "sha256"], "unique": True}]}
