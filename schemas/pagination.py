"""List parameters and envelopes shared by every list endpoint."""
from marshmallow import Schema, fields, validate

from schemas.fields import AsciiInteger


class PageQuerySchema(Schema):
    limit = AsciiInteger(load_default=50, validate=validate.Range(min=1, max=200),
                           metadata={"description": "Items per page, 1..200."})
    cursor = fields.String(load_default=None, validate=validate.Length(max=512),
                           metadata={"description": "Opaque cursor from the previous page's next_cursor."})
    include_total = fields.Boolean(load_default=False,
                                   metadata={"description": "Add the total count of matching items."})


def page_schema(item_schema, name: str):
    """A `{items, next_cursor, total?}` envelope schema for `item_schema`."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema), required=True),
        "next_cursor": fields.String(allow_none=True, required=True),
        "total": fields.Integer(),
    }, name=name)
