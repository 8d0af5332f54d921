"""JSON text without lone surrogates (REST bodies, webhook bodies, replayed bodies), and
the compact JSON every event goes out as.

JSON may escape half of a UTF-16 surrogate pair on its own ("\\ud83d"), as a bot does
when it cuts an emoji in two. Python decodes that to a str no database driver can
store (BSON strings are UTF-8), so it would fail at the first write as a 500. REST
bodies holding one are refused (400, LoneSurrogate); gateway webhooks get U+FFFD in
its place, so the message is still kept.
"""
import json
import re

import orjson

_ESCAPED_SURROGATE = {bytes: re.compile(rb"\\u[dD][89a-fA-F]"), str: re.compile(r"\\u[dD][89a-fA-F]")}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a decoded pair is one character, never two


class LoneSurrogate(ValueError):
    """A JSON string held half of a surrogate pair."""


def loads(raw: bytes | str, replace: bool = False):
    """json.loads, each lone surrogate replaced by U+FFFD (`replace`) or refused. Bytes
    must be UTF-8 (UnicodeDecodeError, a ValueError, otherwise): json.loads would also
    take UTF-16 and let encoded surrogates through."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    return checked(json.loads(text), text, replace)


def checked(value, raw: bytes | str, replace: bool = False):
    """`value`, parsed from `raw`, with its lone surrogates replaced or refused."""
    if _ESCAPED_SURROGATE[type(raw)].search(raw) is None:  # the common case: nothing to walk
        return value
    return _mend(value, replace)


def _mend(value, replace: bool):
    if isinstance(value, str):
        if _LONE_SURROGATE.search(value) is None:
            return value
        if not replace:
            raise LoneSurrogate("A string in the body holds half of a UTF-16 surrogate pair (such as "
                                "\\ud83d alone), which is not text; send valid Unicode.")
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_mend(k, replace): _mend(v, replace) for k, v in value.items()}
    if isinstance(value, list):
        return [_mend(item, replace) for item in value]
    return value


def compact(value) -> bytes:
    """`value` as compact UTF-8 JSON: what `json.dumps(value, separators=(",", ":"),
    ensure_ascii=False).encode()` writes, at a tenth of its CPU (orjson). Every event goes
    out so, to Kafka and to webhook endpoints (issue 26). Byte for byte the same but for
    floats (events hold none: money is a decimal string), which orjson writes in another
    form of the same number (1e16 for json's 1e+16). What orjson does not take (a key that
    is not a str, an int past 64 bits) goes through json. Not for parsing:
    orjson reads an int past 64 bits as a float."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
