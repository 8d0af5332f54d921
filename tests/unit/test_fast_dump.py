"""schemas.fast_dump renders exactly what the schema's own dump renders, for every kind
of stored document an event carries: fields present, absent, None, nested or extra."""
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields, post_dump

from schemas.events import DATA_SCHEMAS
from schemas.fast_dump import dumper
from models.message import RANK, STATUSES

TIMES = st.one_of(st.none(), st.integers(min_value=0, max_value=32_503_680_000_000))
TEXT = st.one_of(st.none(), st.text(max_size=20))


def _documents(required: dict, optional: dict):
    """Dicts with every `required` key and any subset of the `optional` ones, plus internal fields."""
    extra = st.fixed_dictionaries({}, optional={"tenant_id": st.text(max_size=5), "events_due": st.just({})})
    return st.tuples(st.fixed_dictionaries(required, optional=optional), extra).map(lambda pair: {**pair[0], **pair[1]})


MEDIA = st.one_of(st.none(), st.fixed_dictionaries({}, optional={
    "url": TEXT, "mime_type": TEXT, "caption": TEXT, "id": TEXT}))
MESSAGES = _documents({"status_rank": st.sampled_from(sorted(RANK.values()))}, {
    "_id": st.text(max_size=24), "session_id": st.text(max_size=8), "external_id": TEXT,
    "conversation_id": st.text(max_size=30), "from": st.text(max_size=15), "to": st.text(max_size=15),
    "direction": st.sampled_from(["in", "out"]), "type": st.sampled_from(["text", "image"]), "text": TEXT,
    "media": MEDIA, "error": TEXT, "created_at": TIMES, "updated_at": TIMES,
    "status_times": st.one_of(st.none(), st.dictionaries(st.sampled_from(STATUSES), st.integers(0, 2 ** 42)))})
MONEY = st.decimals(min_value=0, max_value=10 ** 6, places=2).map(Decimal)
# A stored order always has its items (marshmallow would take a dict without them for
# the dict's own `items` method, and fail).
ORDERS = _documents({"items": st.lists(st.fixed_dictionaries({
    "product_type": st.text(min_size=1, max_size=8), "quantity": st.integers(1, 5), "unit_price": MONEY,
    "total": MONEY}), max_size=3)}, {
    "_id": st.text(max_size=24), "external_order_id": st.text(max_size=10), "recipient_phone": TEXT,
    "currency": st.sampled_from(["BRL", "USD"]), "total": MONEY, "revenue": st.one_of(st.none(), MONEY),
    "status": st.sampled_from(["pending", "completed", "cancelled"]), "created_at": TIMES, "updated_at": TIMES,
    "completed_at": TIMES, "cancelled_at": TIMES})
SESSIONS = _documents({}, {
    "session_id": st.text(max_size=8), "status": st.sampled_from(["open", "closed"]), "phone_number": TEXT,
    "created_at": TIMES, "updated_at": TIMES, "status_changed_at": TIMES, "gateway_state": TEXT,
    "synced_at": TIMES})


def _same(schema, document):
    expected = schema.dump(document)
    assert dumper(schema)(document) == expected
    assert list(dumper(schema)(document)) == list(expected)  # the same keys, in the same order


@settings(max_examples=300, deadline=None)
@given(MESSAGES)
def test_messages_dump_as_the_schema_dumps_them(document):
    _same(DATA_SCHEMAS["message"], document)


@settings(max_examples=200, deadline=None)
@given(ORDERS)
def test_orders_dump_as_the_schema_dumps_them(document):
    _same(DATA_SCHEMAS["order"], document)


@settings(max_examples=200, deadline=None)
@given(SESSIONS)
def test_sessions_dump_as_the_schema_dumps_them(document):
    _same(DATA_SCHEMAS["session"], document)


def test_a_schema_with_a_dump_hook_or_a_dotted_attribute_is_dumped_by_the_schema_itself():
    class Hooked(Schema):
        a = fields.String()

        @post_dump
        def _upper(self, data, **kwargs):
            return {k: v.upper() for k, v in data.items()}

    class Dotted(Schema):
        a = fields.String(attribute="x.y")

    assert dumper(Hooked())({"a": "b"}) == {"a": "B"}
    assert dumper(Dotted())({"x": {"y": "z"}}) == {"a": "z"}
