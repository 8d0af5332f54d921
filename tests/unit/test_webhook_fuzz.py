"""Fuzzing the gateway parsers with mutated real payloads: never a 500."""
import copy
import json

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
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return payload


@pytest.mark.parametrize("gateway", list(PARSERS))
def test_parsers_return_events_or_payload_errors(gateway):
    @settings(max_examples=300, deadline=None)
    @given(mutated(gateway))
    def check(payload):
        try:
            events = PARSERS[gateway](payload)
        except PayloadError:
            return
        assert all(isinstance(e, (MessageEvent, StatusEvent, SessionEvent, Ignored, Rejected)) for e in events)
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
