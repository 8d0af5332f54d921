"""One search term of one message: the search index (services.messaging.search_index).

A message's terms could be a list on the message with a multikey index, but nx-27017
(0.8.1) indexes a list as one JSON value: a query for one of its elements reads every
document (its plan says `SCAN messages`) and a range over the elements matches none.
One document per (message, term), each a plain string, is served from the compound
index below on every tier. `_id` is `<message id>:<term>`, so posting a message twice
changes nothing, and a message's entries are deleted by those ids, made again from
its text (services.messaging.search_index.forget). The entries hold no phone.
"""
from mongoengine import LongField, StringField

from models.tenancy import TenantDocument


class MessageTerm(TenantDocument):
    id = StringField(primary_key=True)
    term = StringField(required=True)
    message_id = StringField(required=True)
    created_at = LongField(required=True)  # the message's: pages go newest first on it

    meta = {
        "collection": "message_terms",
        "indexes": [
            {"fields": ["tenant_id", "term", "-created_at", "-message_id"]},
        ],  # one index only: each is one more write per entry (entries go by _id, computed from the text)
    }
