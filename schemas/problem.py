"""RFC 9457 problem details: the one shape of every error body."""
from marshmallow import Schema, fields


class ProblemSchema(Schema):
    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "Unprocessable Content"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String(metadata={"example": "The request body is invalid."})
    errors = fields.Dict(metadata={"description": "Field-level messages (422 only).",
                                   "example": {"status": ["Must be one of: open, close."]}})
