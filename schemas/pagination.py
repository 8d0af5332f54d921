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


PAGE_DOC = ("One page of a list: `items` in the list's stable order, and `next_cursor`, to pass as `cursor` "
            "(with the same filters) for the next page; null on the last page. A page never repeats or skips "
            "an item while new items arrive.")


def page_schema(item_schema, name: str):
    """A `{items, next_cursor, total?}` envelope schema for `item_schema`."""
    page = Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema), required=True),
        "next_cursor": fields.String(allow_none=True, required=True, metadata={
            "description": "The `cursor` of the next page; null on the last page."}),
        "total": fields.Integer(metadata={"description": f"With include_total: matching items, at most {TOTAL_CAP:,}."}),
        "total_capped": fields.Boolean(metadata={
            "description": f"With include_total: true when more than {TOTAL_CAP:,} items match."}),
    }, name=name)
    page.Meta = type("Meta", (Schema.Meta,), {"description": PAGE_DOC})  # apispec: the schema's description
    return page
