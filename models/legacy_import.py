"""A legacy file already imported for a tenant: running the import twice adds nothing."""
from mongoengine import BooleanField, LongField, StringField

from models.tenancy import TenantDocument


class LegacyImport(TenantDocument):
    file_name = StringField(required=True)
    sha256 = StringField(required=True)
    imported_at = LongField(required=True)
    counts_json = StringField()  # what a statistics file added, so `stats rebuild` keeps it
    applied = BooleanField()  # its figures are in the statistics (False: an import was cut off)

    meta = {"collection": "legacy_imports",
            "indexes": [{"fields": ["tenant_id", "file_name", "sha256"], "unique": True}]}
