"""List parameters and envelopes shared by every list endpoint."""
from marshmallow import Schema, fields, validate

from schemas.fields import AsciiInteger
from services.pagination import TOTAL_CAP


class PageQuerySchema(Schema):
    limit = AsciiInteger(load_default=50, validate=validate.Range(min=1, max=200),
                           metadata={"description": "Items per page, 1..200."})
    cursor = fields.String(load_default=None, validate=validate.Length(max=512),
                           metadata={"description": "Opaque cursor from the previous page's next_cursor."})
    include_total = fields.Boolean(load_default=False, metadata={"description": (
        f"Add `total`, the number of matching items, counted up to {TOTAL_CAP:,}, and `total_capped`: "
        f"true when more than {TOTAL_CAP:,} match (`total` is then {TOTAL_CAP:,}, a lower bound). "
        "Counting costs up to that many index reads; page with `next_cursor` to see everything.")})


def page_schema(item_schema, name: str):
    """A `{items, next_cursor, total?}` envelope schema for `item_schema`."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema), required=True),
        "next_cursor": fields.String(allow_none=True, required=True),
        "total": fields.Integer(metadata={"description": f"With include_total: matching items, at most {TOTAL_CAP:,}."}),
        "total_capped": fields.Boolean(metadata={
            "description": f"With include_total: true when more than {TOTAL_CAP:,} items match."}),
    }, name=name)
