"""A schema's dump of stored documents (dicts) without marshmallow's per-field overhead.

Events are rendered one by one for Kafka, webhooks and the feed, and marshmallow spends
most of a message's dump on each field's generic path (accessor lookups, dotted keys,
default handling: 41 us of a message event's 80 us in the Kafka publisher; issue 26).
`dumper(schema)` keeps marshmallow's own semantics, read off the schema once: each dump
field in order, its value from the document (or its dump_default; omitted if neither),
turned into wire form by the field's own `_serialize`. Schemas with dump hooks, dotted
attributes or anything but dicts go through `schema.dump` itself;
tests/unit/test_fast_dump.py holds the two equal on every kind of document.
"""
from collections.abc import Callable

from marshmallow import Schema, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP


def dumper(schema: Schema) -> Callable[[dict], dict]:
    hooks = schema._hooks
    if hooks[PRE_DUMP] or hooks[POST_DUMP] or any(
            "." in (field.attribute or name) for name, field in schema.dump_fields.items()):
        return schema.dump
    steps = [(name, field.data_key if field.data_key is not None else name, field.attribute or name,
              field._CHECK_ATTRIBUTE, field.dump_default, field._serialize)
             for name, field in schema.dump_fields.items()]

    def dump(document: dict) -> dict:
        if not isinstance(document, dict):
            return schema.dump(document)
        out = {}
        for name, key, source, reads_value, default, serialize in steps:
            value = None
            if reads_value:
                value = document.get(source, missing)
                if value is missing:
                    value = default() if callable(default) else default
                    if value is missing:
                        continue
            out[key] = serialize(value, name, document)
        return out

    return dump
