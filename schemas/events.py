"""Events as CloudEvents 1.0 JSON, and the feed's parameters."""
from marshmallow import Schema, fields, validate

from models.event import EVENT_TYPES
from schemas.fast_dump import dumper
from schemas.messages import MessageSchema
from schemas.orders import OrderSchema
from schemas.sessions import SessionSchema
from services.clock import iso

DATA_SCHEMAS = {"message": MessageSchema(), "order": OrderSchema(), "session": SessionSchema()}
_DATA_DUMPS = {kind: dumper(schema) for kind, schema in DATA_SCHEMAS.items()}  # every event is rendered: fast
TYPES_DOC = ("`message.created` and `message.status_changed` (subject: the conversation id, or the group's "
             "chat id; data: the message after the change), `conversation.read` and `conversation.deleted` "
             "(subject: the conversation id; data: {conversation_id, at}), `session.status_changed` "
             "(subject: the session id; data: the session, also on its creation), `order.created`, "
             "`order.completed`, `order.cancelled` (subject: the order id; data: the order), `contact.erased` "
             "(subject: the phone; data: {phone, erased_at, erased: counts}: erase it downstream too).")


class EventQuerySchema(Schema):
    after = fields.String(load_default=None, validate=validate.Length(max=1024), metadata={
        "description": "A `next_cursor` from an earlier answer; omitted: from the oldest event kept."})
    type = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), load_default=list, metadata={
        "description": "Only these types (repeat the parameter for several)."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200),
                           metadata={"description": "Items per page, 1..200."})


class EventSchema(Schema):
    specversion = fields.String(metadata={"example": "1.0"})
    id = fields.String(metadata={"description": "Unique; consumers dedupe on it.",
                                 "example": "9f2c4e1a0b7d4c3e8a1f6b5d2e9c0a7b"})
    source = fields.String(metadata={"example": "/tenants/acme"})
    type = fields.String(metadata={"enum": list(EVENT_TYPES), "description": TYPES_DOC})
    time = fields.String(metadata={"format": "date-time", "description": "When the change happened."})
    subject = fields.String(metadata={"example": "5511912345678:5511987654321"})
    datacontenttype = fields.String(metadata={"example": "application/json"})
    data = fields.Dict(metadata={"description": "Depends on `type`: " + TYPES_DOC})


class EventPageSchema(Schema):
    class Meta:
        description = ("A page of the feed, oldest first. Unlike other lists, `next_cursor` is never null: "
                       "poll with it as `after`; an empty page means nothing newer yet.")

    items = fields.List(fields.Nested(EventSchema), required=True)
    next_cursor = fields.String(required=True, metadata={
        "description": "Never null: the position after the last item (or the given one when there is "
                       "none); poll again with it as `after`."})


def envelope(event: dict, slug: str) -> dict:
    """A stored event (models.event) as the CloudEvents envelope of the contract."""
    kind = event["type"].split(".")[0]
    if kind == "conversation":
        data = {"conversation_id": event["data"]["conversation_id"], "at": iso(event["data"]["at"])}
    elif kind == "contact":  # {phone, erased_at, erased}: plain already
        data = event["data"]
    else:
        data = _DATA_DUMPS[kind](event["data"])
    return {"specversion": "1.0", "id": event["_id"], "source": f"/tenants/{slug}", "type": event["type"],
            "time": iso(event["time"]), "subject": event["subject"], "datacontenttype": "application/json",
            "data": data}
