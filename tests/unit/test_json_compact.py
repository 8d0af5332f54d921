"""services.json_text.compact writes what json.dumps writes (compact, UTF-8), byte for
byte for every JSON value without floats (events hold none), the same numbers for floats,
and takes what orjson does not through json."""
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from services.json_text import compact

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2 ** 63), max_value=2 ** 64 - 1),
                    st.text(alphabet=st.characters(exclude_categories=("Cs",))))  # stored text has no lone surrogate
FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)


def _values(scalars):
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                        max_leaves=20)


def _json(value) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@settings(max_examples=500, deadline=None)
@given(_values(SCALARS))
def test_the_same_bytes_as_json(value):
    assert compact(value) == _json(value)


@settings(max_examples=300, deadline=None)
@given(_values(st.one_of(SCALARS, FLOATS)))
def test_with_floats_the_same_value_as_json(value):
    assert json.loads(compact(value)) == json.loads(_json(value))


def test_control_characters_quotes_and_line_separators_as_json_escapes_them():
    value = {"text": "a\x00b\x1fc\x7f\"d\\e\u2028f\u2029g\U0001F600 Olá", "n": [1.5, -0.0, 10 ** 19, -(2 ** 63)]}
    assert compact(value) == _json(value)


def test_what_orjson_does_not_take_goes_through_json():
    for value in ({1: "a key that is not a str"}, {"big": 2 ** 70}):
        assert compact(value) == _json(value)
