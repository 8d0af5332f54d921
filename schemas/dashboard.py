"""The dashboard's query strings. A browser sends a blank field for an unused control:
blank means "not given"."""
from marshmallow import Schema, fields, pre_load, validate

from models.order import ORDER_STATUSES
from schemas.fields import Phone
from schemas.message_search import SearchWords

CURSOR = validate.Length(max=512)


class _FormQuery(Schema):
    @pre_load
    def _blank_is_missing(self, data, **kwargs):
        return {key: value for key, value in data.items() if not (isinstance(value, str) and not value.strip())}


class ConversationFilterSchema(_FormQuery):
    phone = Phone(metadata={"description": "Only conversations with this number (any form) or chat id."})
    unread = fields.Boolean(load_default=False)
    cursor = fields.String(load_default=None, validate=CURSOR)


class MessageSearchFormSchema(_FormQuery):
    q = SearchWords(required=True, error_messages={"required": "Type one or more words to look for."})
    cursor = fields.String(load_default=None, validate=CURSOR)


class CursorQuerySchema(_FormQuery):
    cursor = fields.String(load_default=None, validate=CURSOR)


class OrderFilterSchema(_FormQuery):
    status = fields.String(validate=validate.OneOf(ORDER_STATUSES))
    cursor = fields.String(load_default=None, validate=CURSOR)


class SalesQuerySchema(_FormQuery):
    days = fields.Integer(load_default=30, validate=validate.OneOf((30, 90)))



class DeliveryQuerySchema(_FormQuery):
    days = fields.Integer(load_default=30, validate=validate.OneOf((7, 30, 90)))
