"""Sales statistics: query range and figures (money as decimal strings)."""
import re
from datetime import date

from marshmallow import Schema, ValidationError, fields, validates_schema

from schemas.fields import Money

DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


class Day(fields.Date):
    """A calendar date written exactly YYYY-MM-DD."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not DAY.match(value):
            raise ValidationError("Not a valid date: use YYYY-MM-DD.")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError("Not a valid date: use YYYY-MM-DD.") from None


class StatsQuerySchema(Schema):
    first = Day(data_key="from", metadata={
        "description": "First day (tenant time zone), inclusive. Default and earliest: "
                       "STATS_RETENTION_DAYS - 1 days before today."})
    last = Day(data_key="to", metadata={"description": "Last day, inclusive. Default and latest: today."})

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("first") and data.get("last") and data["first"] > data["last"]:
            raise ValidationError("Must not be after 'to'.", "from")


class ProductTypeFiguresSchema(Schema):
    orders = fields.Integer()
    completed = fields.Integer()
    revenue = Money()


class FiguresSchema(Schema):
    orders = fields.Integer(metadata={"description": "Orders created."})
    completed = fields.Integer()
    cancelled = fields.Integer()
    revenue = Money(metadata={"description": "Revenue of completed orders."})
    by_product_type = fields.Dict(keys=fields.String(), values=fields.Nested(ProductTypeFiguresSchema),
                                  metadata={"description": "Per product type; an order's revenue is split "
                                                           "over its items in proportion to their totals."})


class DayFiguresSchema(FiguresSchema):
    date = fields.String(metadata={"example": "2026-11-22"})


class StatsSchema(Schema):
    totals = fields.Nested(FiguresSchema, metadata={"description": "All-time."})
    daily = fields.List(fields.Nested(DayFiguresSchema), metadata={
        "description": "Every day of the range, oldest first, zeros included. Orders count on the day "
                       "they were created; completions, cancellations and revenue on the day they happened."})
