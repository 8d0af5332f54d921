"""A WhatsApp message, inbound or outbound, with its delivery status.

Stored fields differ from the wire, each for cross-database safety: times are epoch
milliseconds, the status is an integer rank (`status_rank`, so `$max` moves it
forward atomically), and the history is `status_times` {status: earliest ms}, from
which sent_at/delivered_at/read_at/failed_at and status_history are derived
(nx-27017 turns `$push`ed sub-documents into JSON strings, so no arrays of them).
A document with `awaiting_message: 1` is a parked status whose message has not come,
`2` a message held until its session's number is known (services.messaging.held_messages);
every real message has `awaiting_message: 0` (an equality every backend matches alike).
"""
from mongoengine import DictField, IntField, LongField, MapField, StringField

from models.tenancy import TenantDocument

VISIBLE = {"awaiting_message": 0}  # the filter for real messages, not parked statuses
HELD = 2  # awaiting_message of a message held until its session's number is known
# The delivery status vocabulary and its stored ranks (services.messaging.message_status moves them).
STATUSES = ("pending", "sent", "delivered", "read", "played", "failed")
RANK = {"pending": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 9}
STATUS_OF_RANK = {rank: status for status, rank in RANK.items()}


def history(status_times: dict | None) -> list[dict]:
    """[{status, at}] in the order the statuses happened (ties in rank order)."""
    known = [(at, RANK[status], status) for status, at in (status_times or {}).items()
             if status in RANK and isinstance(at, int)]
    return [{"status": status, "at": at} for at, _rank, status in sorted(known)]


class Message(TenantDocument):
    id = StringField(primary_key=True)
    session_id = StringField()
    external_id = StringField()
    conversation_id = StringField()
    chat = StringField()  # the other party, while the message is held
    sender = StringField(db_field="from")
    to = StringField()
    direction = StringField(choices=("in", "out"))
    type = StringField()
    text = StringField()
    media = DictField()
    status_rank = IntField(required=True)
    status_times = DictField()
    awaiting_message = IntField()
    error = StringField()
    created_at = LongField()
    released_at = LongField()  # a held message: when it became visible (its unread time)
    updated_at = LongField(required=True)
    event_at = LongField()  # the feed time of its latest event: a status event goes after it
    # An event due for a change (services.events.event_log): {key: change time}, the latest time.
    events_due = MapField(LongField())
    events_due_at = LongField()

    # Uniqueness is the _id's (see services.messaging.messages.message_id_for). Pages sort on
    # (created_at, _id); _id stays out of compound indexes: nx-27017 then fails inserts.
    meta = {
        "collection": "messages",
        "indexes": [
            {"fields": ["tenant_id", "-created_at"]},
            {"fields": ["tenant_id", "conversation_id", "-created_at"]},
            {"fields": ["tenant_id", "session_id", "-created_at"]},
            # The list filters ?status= and ?direction=, newest first (a rare status,
            # say failed, would otherwise be looked for among all of a tenant's messages).
            {"fields": ["tenant_id", "status_rank", "-created_at"]},
            {"fields": ["tenant_id", "direction", "-created_at"]},
            {"fields": ["tenant_id", "awaiting_message", "session_id"]},
            {"fields": ["tenant_id", "events_due_at"]},
            # Analytics: the messages changed since a day's figures were computed.
            {"fields": ["tenant_id", "updated_at"]},
        ],
    }
