"""Order payloads. Money is a decimal string on the wire, integer hundredths stored."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from models.order import ORDER_STATUSES
from schemas.fields import Money, Phone, Timestamp
from schemas.pagination import PageQuerySchema, page_schema
from services.money import MAX_TOTAL_MINOR, MAX_TOTAL_TEXT


def _anchored(body: str, error: str) -> tuple[str, validate.Regexp]:
    """A rule's two forms: the OpenAPI pattern (ECMA regex, `^...$`) and its validator,
    which ends in \\Z because Python's `$` would let a trailing newline in."""
    return f"^{body}$", validate.Regexp(body + r"\Z", error=error)


# Product types become field names in the statistics: no '.', no leading '$'.
PRODUCT_TYPE_PATTERN, PRODUCT_TYPE = _anchored(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,63}", "1-64 characters: letters, "
                                               "digits, space, _ and -, starting with a letter or digit.")
CURRENCY_PATTERN, CURRENCY = _anchored(r"[A-Z]{3}", "An ISO 4217 code: three uppercase letters.")
MAX_QUANTITY = 1_000_000
MONEY_DOC = (f"A decimal string with at most 2 decimal places, e.g. \"19.90\", at most {MAX_TOTAL_TEXT} "
             "(an order's total and its revenue too: so the all-time statistics stay within 64-bit "
             "integers); JSON numbers are refused.")


class OrderItemSchema(Schema):
    product_type = fields.String(required=True, validate=PRODUCT_TYPE,
                                 metadata={"example": "t-shirt", "pattern": PRODUCT_TYPE_PATTERN})
    sku = fields.String(allow_none=True, dump_default=None, validate=validate.Length(min=1, max=128),
                        metadata={"example": "TSHIRT-M-BLUE"})
    name = fields.String(allow_none=True, dump_default=None, validate=validate.Length(min=1, max=256),
                         metadata={"example": "T-shirt M blue"})
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY),
                              metadata={"example": 2})
    unit_price = Money(required=True, metadata={"description": MONEY_DOC + " Zero is allowed."})


class OrderCreateSchema(Schema):
    external_order_id = fields.String(required=True, validate=validate.Length(min=1, max=256), metadata={
        "description": "The shop system's id (e.g. an Odoo order id); the same id again returns "
                       "the stored order and counts nothing.", "example": "SO-2026-00042"})
    recipient_phone = Phone(required=True)
    items = fields.List(fields.Nested(OrderItemSchema), required=True,
                        validate=validate.Length(min=1, max=200))
    currency = fields.String(load_default="BRL", validate=CURRENCY, metadata={"pattern": CURRENCY_PATTERN,
        "description": "ISO 4217 code, default BRL. Amounts are kept in hundredths whatever the "
                       "currency; statistics add amounts up without converting currencies.",
        "example": "BRL"})

    @validates_schema
    def _total_in_range(self, data, **kwargs):
        total = sum(item["quantity"] * item["unit_price"] for item in data.get("items") or [])
        if total > MAX_TOTAL_MINOR:
            raise ValidationError(f"The order total is too large: at most {MAX_TOTAL_TEXT}.", "items")


class OrderCompleteSchema(Schema):
    revenue = Money(metadata={"description": "What the sale earned (default: the order total). " + MONEY_DOC})


class OrderItemOutSchema(OrderItemSchema):
    total = Money(metadata={"description": "quantity x unit_price."})


class OrderSchema(Schema):
    id = fields.String(attribute="_id", metadata={"example": "6740a1b2c3d4e5f601234567"})
    external_order_id = fields.String(metadata={"example": "SO-2026-00042"})
    recipient_phone = fields.String(allow_none=True, dump_default=None, metadata={
        "example": "5511912345678", "description": "null once the contact was erased (amounts and types stay)."})
    currency = fields.String(metadata={"example": "BRL"})
    items = fields.List(fields.Nested(OrderItemOutSchema))
    total = Money(metadata={"description": "The sum of the item totals."})
    revenue = Money(allow_none=True, dump_default=None, metadata={"description": "Set on completion; null before."})
    status = fields.String(metadata={"example": "pending", "enum": list(ORDER_STATUSES)})
    created_at = Timestamp()
    updated_at = Timestamp()
    completed_at = Timestamp(allow_none=True, dump_default=None)
    cancelled_at = Timestamp(allow_none=True, dump_default=None)


class OrderListQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(ORDER_STATUSES))


OrderPageSchema = page_schema(OrderSchema, "OrderPage")
