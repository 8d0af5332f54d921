"""The deployment's SECRET_KEY check record: a known text encrypted under the key the
deployment uses (services.key_check). Not tenant-owned, not snapshotted: it belongs to
the database, whose hosts must all open it."""
from mongoengine import Document, LongField, StringField


class SecretCheck(Document):
    id = StringField(primary_key=True)
    sealed = StringField(required=True)  # ciphertext under SECRET_KEY's first key
    written_by = StringField()  # the host that wrote or last re-encrypted it
    written_at = LongField()

    meta = {"collection": "secret_check"}
