"""A named lease in the database: which process, on any host, does a shared job."""
from mongoengine import Document, LongField, StringField


class Lease(Document):
    id = StringField(primary_key=True)  # the job's name
    holder = StringField(required=True)  # "<host>:<pid>"
    slot = LongField(default=0)  # for per-interval jobs: the last interval claimed
    expires_at = LongField(default=0)  # for held leases: ms; a crashed holder's lease lapses

    meta = {"collection": "leases"}
