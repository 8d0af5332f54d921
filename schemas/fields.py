"""Fields shared by every schema: timestamps in the contract's form, phones, money."""
import re
from datetime import timezone

from marshmallow import ValidationError, fields, validate

from services import clock
from services.clock import iso, to_ms
from services.money import InvalidAmount, to_minor, to_text
from services.phones import InvalidPhone, normalize_phone


class Timestamp(fields.AwareDateTime):
    """Stored as epoch ms; on the wire ISO 8601 UTC with a Z and milliseconds.

    Input may carry any UTC offset; one without an offset is taken as UTC. Input
    outside 1970-3000 is refused: stored, such a time could not be written back out
    (year 1 is no ISO 8601 year with a Z, year 9999 plus a TTL overflows)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("example", "2026-11-22T10:15:30.123Z")
        super().__init__(format="iso", default_timezone=timezone.utc, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return iso(value)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        # The year first: converting year 1 at +01:00 to UTC would overflow.
        if not 1969 <= moment.year <= 3000 or not clock.EARLIEST_MS <= to_ms(moment) < clock.LATEST_MS:
            raise ValidationError("Must be between 1970-01-01T00:00:00Z and 3000-01-01T00:00:00Z.")
        return to_ms(moment)


class Phone(fields.String):
    """A phone number in any accepted form, loaded as its normalised digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("example", "5511987654321")
        super().__init__(validate=validate.Length(min=1, max=64), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalize_phone(text)
        except InvalidPhone as exc:
            raise ValidationError(f"Not a valid phone number: it {exc}.") from None


def phone_or_422(raw: str, name: str) -> str:
    """Normalise a phone from a URL path; a bad one becomes a 422 naming `name`."""
    try:
        return normalize_phone(raw)
    except InvalidPhone as exc:
        raise ValidationError({name: [f"Not a valid phone number: it {exc}."]}) from None


class Money(fields.String):
    """An amount as a decimal string ("19.90"), loaded as integer minor units (1990).

    JSON numbers are refused: a binary float cannot hold most cents exactly. At most
    1000000000.00 (services.money.MAX_TOTAL_TEXT), so the statistics' 64-bit sums cannot overflow."""

    def __init__(self, **kwargs):
        metadata = kwargs.setdefault("metadata", {})
        metadata.setdefault("example", "19.90")
        metadata.setdefault("format", "decimal")  # clients read it as a Decimal
        metadata.setdefault("pattern", r"^[0-9]{1,10}(\.[0-9]{1,2})?$")
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else to_text(value)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return to_minor(value)
        except InvalidAmount as exc:
            raise ValidationError(str(exc)) from None


class AsciiInteger(fields.Integer):
    """An integer; as text (a query string) only ASCII digits. int(), and so
    fields.Integer, also reads "١٢", fullwidth "１２" and "1_0" as numbers."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not re.fullmatch(r"[0-9]{1,20}", value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)
