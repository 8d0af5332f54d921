"""Fuzzing the gateway parsers with mutated real payloads: never a 500.

Mutations replace values with any JSON, with number forms a careless parse trips on
(Unicode digits, which str.isdigit() takes and int() refuses or reads; floats,
exponents, signs, huge values, booleans, whitespace) and with near misses of the
fixture's own value at that place."""
import copy
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.gateways import cloud, evolution, waha
from services.gateways.internal_events import Ignored, MessageEvent, Rejected, SessionEvent, StatusEvent
from services.gateways.parsing import PayloadError
from tests.conftest import create_tenant
from tests.webhook_helpers import FIXTURES, configure_cloud, send

PARSERS = {"evolution": evolution.parse, "waha": waha.parse, "cloud": cloud.parse}
SAMPLES = {gateway: [json.loads(p.read_text()) for p in sorted((FIXTURES / gateway).glob("*.json"))]
           for gateway in PARSERS}
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=3),
                           max_leaves=8)
# Digits that are not ASCII: superscripts and circled (isdigit, not int), Arabic-Indic,
# Devanagari, fullwidth and mathematical bold (isdecimal, read by int()).
UNICODE_DIGITS = "\u00b2\u00b3\u00b9\u2070\u2074\u2460\u0660\u0663\u06f5\u0967\uff11\uff15\U0001d7d7"
NUMBER_TEXTS = ["\u00b2", "1700000000\u00b2", "\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660",
                "\uff11\uff17\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10", "1.7e9", "1e999999", "-1",
                "+1700000000", " 1700000000 ", "\t1700000000\n", "1_700_000_000", "0x10", "1700000000.5",
                "Infinity", "NaN", "-0", "9" * 30, "9" * 5000, "", " ", "true", "null"]
NUMBERS = [0, -1, 1, 2**31, 2**63, -(2**63), 10**30, 1.5, -0.0, 1.7e9, 1.7e12, 1e308, math.inf, -math.inf, True, False]
number_forms = (st.sampled_from(NUMBER_TEXTS + NUMBERS)
                | st.text(alphabet=UNICODE_DIGITS + "0123456789 .-+e", min_size=1, max_size=14)
                | st.integers(min_value=-(10**40), max_value=10**40)
                | st.floats(allow_nan=False))


def _unicode_twins(text: str) -> list[str]:
    """`text` with its ASCII digits written in other scripts' digits."""
    return [text.translate({ord("0") + d: ord(zero) + d for d in range(10)}) for zero in ("\u0660", "\uff10")] + \
        [text.translate({ord("2"): "\u00b2", ord("3"): "\u00b3", ord("1"): "\u00b9"})]


def near_misses(value) -> list:
    """Values a gateway could plausibly send where the fixture has `value`."""
    if isinstance(value, bool):
        return [not value, int(value), str(value).lower(), None]
    if isinstance(value, int) and abs(value) < 2**64:
        return [value + 1, -value, value * 1000, value // 1000, str(value), f" {value} ", float(value),
                f"{value}.0", f"+{value}", f"{value:e}", *_unicode_twins(str(value)), None, True]
    if isinstance(value, float) and math.isfinite(value):
        return [int(value), str(value), -value, math.inf, None]
    if isinstance(value, str):
        return [*_unicode_twins(value), value.upper(), value[:-1], value + "x", f" {value} ", "", value * 40,
                int(value) if value.isascii() and value.isdigit() and len(value) < 20 else 0, None, [value], {"value": value}]
    return [None, "", 0, [], str(value)[:20]]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


@st.composite
def mutated(draw, gateway):
    payload = copy.deepcopy(draw(st.sampled_from(SAMPLES[gateway])))
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(payload) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        choice = draw(st.sampled_from(["delete", "any", "number", "near"]))
        if isinstance(parent, dict) and choice == "delete":
            del parent[path[-1]]
        elif choice == "number":
            parent[path[-1]] = draw(number_forms)
        elif choice == "near":
            parent[path[-1]] = draw(st.sampled_from(near_misses(parent[path[-1]])))
        else:
            parent[path[-1]] = draw(json_values)
    return payload


def _parses_or_payload_error(gateway: str, payload: dict) -> None:
    try:
        events = PARSERS[gateway](payload)
    except PayloadError:
        return
    assert all(isinstance(e, (MessageEvent, StatusEvent, SessionEvent, Ignored, Rejected)) for e in events)


@pytest.mark.parametrize("gateway", list(PARSERS))
def test_every_fixture_value_replaced_by_each_number_form_parses(gateway):
    """Exhaustive where hypothesis samples: every value of every fixture, one at a time,
    replaced by each fixed number form and each of its near misses."""
    for sample in SAMPLES[gateway]:
        for path in [p for p in _paths(sample) if p]:
            parent = sample
            for step in path[:-1]:
                parent = parent[step]
            for replacement in NUMBER_TEXTS + NUMBERS + near_misses(parent[path[-1]]):
                payload = copy.deepcopy(sample)
                target = payload
                for step in path[:-1]:
                    target = target[step]
                target[path[-1]] = replacement
                _parses_or_payload_error(gateway, payload)


@pytest.mark.parametrize("gateway", list(PARSERS))
def test_parsers_return_events_or_payload_errors(gateway):
    @settings(max_examples=300, deadline=None)
    @given(mutated(gateway))
    def check(payload):
        _parses_or_payload_error(gateway, payload)
    check()


@pytest.mark.parametrize("gateway", list(PARSERS))
def test_mutated_payloads_over_http_never_500(app, admin, gateway):
    client = app.test_client()
    tenant = create_tenant(client, admin)
    configure_cloud(client, admin, tenant)

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(mutated(gateway))
    def check(payload):
        response = send(client, gateway, tenant, payload)
        assert response.status_code in (200, 400, 422), response.get_data(as_text=True)  # signed: never 401
    check()
