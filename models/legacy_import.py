"""A legacy file already imported for a tenant: running the import twice adds nothing."""
from mongoengine import BooleanField, DictField, LongField, StringField

from models.tenancy import TenantDocument


class LegacyImport(TenantDocument):
    file_name = StringField(required=True)
    sha256 = StringField(required=True)
    imported_at = LongField(required=True)
    counts_json = StringField()  # what a statistics file added, so `stats rebuild` keeps it
    applied = BooleanField()  # its figures are in the statistics (False: an import was cut off)
    # A statistics file: the earlier imports' figures it replaces, and the days (and
    # "totals") already added, so a rerun after a cut-off adds only the rest.
    replacing_json = StringField()
    done = DictField()

    meta = {"collection": "legacy_imports",
            "indexes": [{"fields": ["tenant_id", "file_name", "sha256"], "unique": True}]}
