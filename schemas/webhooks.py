"""What a webhook answers."""
from marshmallow import Schema, fields


class RejectedItemSchema(Schema):
    item = fields.String(metadata={"example": "entry[0].changes[0].value.statuses[2]"})
    detail = fields.String(metadata={"example": "id: is required (a non-empty string)"})


class WebhookResultSchema(Schema):
    accepted = fields.Integer(metadata={"description": "Events stored (new messages, statuses, session changes)."})
    duplicates = fields.Integer(metadata={"description": "Messages already stored under the same id."})
    ignored = fields.Integer(metadata={"description": "Events of types ChatKeep does not store."})
    spooled = fields.Integer(metadata={"description": "Events kept on disk while the database is unreachable; "
                                                      "stored (exactly once) as soon as it is back."})
    held = fields.Integer(metadata={"description": "Of the accepted, messages kept invisible until their "
                                                  "session's own number is known (a connection event brings it)."})
    rejected = fields.Integer(metadata={"description": "Items of a batch that were not valid (others were kept)."})
    errors = fields.List(fields.Nested(RejectedItemSchema))


GATEWAY_BODY = {"required": True, "content": {"application/json": {"schema": {"type": "object"}}},
                "description": "The gateway's own event payload, unchanged."}
