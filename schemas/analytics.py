"""Analytics: the query (a range of tenant-local days, a session) and the two figure shapes."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, validates_schema

from schemas.sessions import SESSION_ID
from schemas.stats import Day

MAX_DAYS = 366
RATE = {"description": "A fraction 0..1; null when nothing was sent.", "example": 0.95}


def seconds(what: str) -> dict:
    return {"description": f"{what}, in seconds (within 5 %); null when nothing qualifies.", "example": 12.4}


class AnalyticsQuerySchema(Schema):
    first = Day(data_key="from", metadata={
        "description": "First day (tenant time zone), inclusive. Default: 29 days before `to`."})
    last = Day(data_key="to", metadata={"description": "Last day, inclusive. Default: today (tenant time zone)."})
    session_id = fields.String(validate=SESSION_ID, metadata={"description": "Only this gateway session's messages."})

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("first") and data.get("last"):
            check_range(data["first"], data["last"])


def check_range(first: date, last: date) -> None:
    """`from` not after `to`, and at most MAX_DAYS days (422 naming `from`)."""
    if first > last:
        raise ValidationError("Must not be after 'to'.", "from")
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationError(f"The range is at most {MAX_DAYS} days.", "from")


class DeliveryFiguresSchema(Schema):
    outbound = fields.Integer(metadata={"description": "Outbound messages created in the period."})
    sent = fields.Integer(metadata={"description": "Of those, how many reached sent or beyond."})
    delivered = fields.Integer(metadata={"description": "Of those, how many reached delivered or beyond."})
    read = fields.Integer(metadata={"description": "Of those, how many were read (played counts as read)."})
    failed = fields.Integer(metadata={"description": "Of those, how many failed."})
    delivery_rate = fields.Float(allow_none=True, metadata={**RATE, "description": "delivered / outbound; "
                                                            "null when nothing was sent."})
    read_rate = fields.Float(allow_none=True, metadata={**RATE, "description": "read / outbound; null when "
                                                        "nothing was sent."})
    failure_rate = fields.Float(allow_none=True, metadata={**RATE, "description": "failed / outbound; null "
                                                           "when nothing was sent.", "example": 0.01})
    time_to_deliver_p50_s = fields.Float(allow_none=True, metadata=seconds(
        "Median time from sent (or created, without a sent time) to delivered"))
    time_to_deliver_p90_s = fields.Float(allow_none=True, metadata=seconds("90th percentile of the same"))
    time_to_read_p50_s = fields.Float(allow_none=True, metadata=seconds(
        "Median time from sent (or created) to read or played"))
    time_to_read_p90_s = fields.Float(allow_none=True, metadata=seconds("90th percentile of the same"))


class ConversationFiguresSchema(Schema):
    inbound = fields.Integer(metadata={"description": "Inbound messages created in the period."})
    outbound = fields.Integer(metadata={"description": "Outbound messages created in the period."})
    active_contacts = fields.Integer(metadata={"description": "Contacts (conversations) with an inbound message "
                                                              "that day; in totals, summed over the days."})
    new_contacts = fields.Integer(metadata={"description": "Contacts whose first inbound message ever was then."})
    response_p50_s = fields.Float(allow_none=True, metadata=seconds(
        "Median wait of a contact's message that follows an answered one, or opens the conversation, for the "
        "next outbound message (counted on the answer's day; unanswered ones and waits over 7 days do not count)"))
    response_p90_s = fields.Float(allow_none=True, metadata=seconds("90th percentile of the same"))


def _report_schema(figures, name: str):
    day = Schema.from_dict({"date": fields.String(metadata={"format": "date", "example": "2026-11-22"}),
                            **figures._declared_fields}, name=f"{name}Day")
    return Schema.from_dict({
        "from": fields.String(metadata={"format": "date", "example": "2026-10-24"}),
        "to": fields.String(metadata={"format": "date", "example": "2026-11-22"}),
        "timezone": fields.String(metadata={"example": "America/Sao_Paulo"}),
        "totals": fields.Nested(figures, metadata={"description": "The whole range."}),
        "daily": fields.List(fields.Nested(day), metadata={
            "description": "Every day of the range, oldest first, zeros included. A message counts on the day it "
                           "was created, its late statuses too."}),
    }, name=name)


DeliveryReportSchema = _report_schema(DeliveryFiguresSchema, "DeliveryReport")
ConversationReportSchema = _report_schema(ConversationFiguresSchema, "ConversationReport")
