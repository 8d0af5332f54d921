"""Erasure: the ledger of erased contacts, and erasures in progress.

The ledger holds no phone in clear: its id is a keyed hash of the phone
(services.privacy.ledger), with the time of the erasure. Every path that could bring
the contact's data back checks it. An erasure in progress keeps its phone encrypted
(services.secret_box) so that one cut off by a crash can be finished after restart; the
phone is dropped when it is done.
"""
from mongoengine import DictField, LongField, StringField

from models.tenancy import TenantDocument

ERASURE_STATES = ("running", "done", "failed")


class ErasedContact(TenantDocument):
    """An entry (id: keyed hash of the phone), or one of the tenant's ledger keys (id
    "key:...", `key` its ciphertext under SECRET_KEY, erased_at 0): kept together so
    snapshots, restores and scrubs carry the keys wherever the entries go."""
    id = StringField(primary_key=True)  # keyed hash of the phone
    erased_at = LongField(required=True)
    key = StringField()  # a ledger key's ciphertext (services.privacy.ledger_keys)
    created_at = LongField()

    meta = {"collection": "erased_contacts", "indexes": [{"fields": ["tenant_id", "erased_at"]}]}


class Erasure(TenantDocument):
    id = StringField(primary_key=True)
    state = StringField(required=True, choices=ERASURE_STATES)
    phone = StringField()  # ciphertext, until the last sweep
    sweep_at = LongField()  # when the runner's last sweep is due (0: made)
    swept_at = LongField()  # when the last run (the sweep, or a run ending after its time) ended
    failed_reason = StringField()
    erased_at = LongField(required=True)
    erased = DictField()  # counts so far
    request_id = StringField()
    finished_at = LongField()

    meta = {"collection": "erasures", "indexes": [{"fields": ["tenant_id", "state"]}]}
