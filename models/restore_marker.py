"""The mark of a restore in progress: written before a restore touches the store and
removed after its last write, so a restore cut off midway is seen at the next start."""
from mongoengine import Document, LongField, StringField


class RestoreMarker(Document):
    id = StringField(primary_key=True)  # one marker: a database is restored by one process at a time
    generation = StringField(required=True)  # the generation's name
    source = StringField(required=True)  # its directory, as the restoring process saw it
    started_at = LongField(required=True)  # epoch ms
    started_by = StringField(required=True)  # "startup" or "snapshot restore"

    meta = {"collection": "restore_in_progress"}
