"""Outbound calls through the API: webhook endpoint and gateway link validation, delivery
attempts and gateway syncs connect to the address they checked, ignore proxies, end at
their deadline and say only "not allowed". Peers are real loopback servers."""
import json
import socket
import time

import pytest

from tests.conftest import assert_problem
from tests.webhook_engine_helpers import post_message, tick_for
from tests.fake_gateways import FakeGateway, waha_session
from tests.outbound_peers import PUBLIC, Proxy, Resolver, Tarpit

SESSION = "main"
KEY = "gateway-key-for-outbound-tests"


@pytest.fixture
def settings(app):
    app.config.update(OUTBOUND_ALLOW_PRIVATE=True, WEBHOOK_TIMEOUT_S=1, WEBHOOK_RETRY_BASE_S=30, GATEWAY_TIMEOUT_S=1)
    return app.config


@pytest.fixture
def tarpit():
    server = Tarpit(interval_s=0.5, for_s=10)
    yield server
    server.close()


def _deliver_one(app, client, tenant):
    """A message written through the API, then one round of the webhook engine."""
    post_message(client, tenant, 0)
    tick_for(app)()


def _create(client, tenant, url):
    return client.post("/api/v1/webhook-endpoints", json={"url": url}, headers=tenant.headers)


def _log(client, tenant, endpoint):
    return client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=tenant.headers).get_json()


def _link(client, tenant, base_url):
    client.put(f"/api/v1/sessions/{SESSION}", json={"status": "open"}, headers=tenant.headers)
    return client.put(f"/api/v1/sessions/{SESSION}/gateway", json={"kind": "waha", "base_url": base_url,
                                                                    "api_key": KEY}, headers=tenant.headers)


def _sync(client, tenant):
    return client.post(f"/api/v1/sessions/{SESSION}/sync", headers=tenant.headers)


def test_a_refusal_names_no_address_and_does_not_tell_what_resolves(app, client, tenant, monkeypatch):
    Resolver(monkeypatch, {"internal.test": ["10.0.3.7"], "public.test": [PUBLIC],
                           "nowhere.test": socket.gaierror(socket.EAI_NONAME, "Name or service not known")})
    app.config["OUTBOUND_ALLOW_PRIVATE"] = False
    internal = assert_problem(_create(client, tenant, "https://internal.test/hook"), 422, "url")
    nowhere = assert_problem(_create(client, tenant, "https://nowhere.test/hook"), 422, "url")
    assert "10.0.3.7" not in json.dumps(internal) and "not allowed" in json.dumps(internal)
    assert internal["errors"] == nowhere["errors"]
    endpoint = _create(client, tenant, "https://public.test/hook").get_json()
    patched = assert_problem(client.patch(f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=tenant.headers,
                                          json={"url": "https://internal.test/hook"}), 422, "url")
    assert "10.0.3.7" not in json.dumps(patched)
    shown = client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=tenant.headers).get_json()
    assert shown["url"] == "https://public.test/hook"
    client.put(f"/api/v1/sessions/{SESSION}", json={"status": "open"}, headers=tenant.headers)
    linked = assert_problem(_link(client, tenant, "http://internal.test"), 422, "base_url")
    assert "10.0.3.7" not in json.dumps(linked)
    listed = client.get("/api/v1/webhook-endpoints", headers=tenant.headers).get_json()["items"]
    assert [e["url"] for e in listed] == ["https://public.test/hook"]


@pytest.mark.parametrize("host", ["[64:ff9b::a00:1]", "[2002:7f00:1::]", "[::127.0.0.1]", "[::ffff:0:a9fe:a9fe]"])
def test_ipv6_forms_carrying_a_private_address_are_refused(app, client, tenant, host):
    app.config["OUTBOUND_ALLOW_PRIVATE"] = False
    assert_problem(_create(client, tenant, f"http://{host}/hook"), 422, "url")
    assert_problem(_link(client, tenant, f"http://{host}"), 422, "base_url")


@pytest.mark.parametrize("host", ["169.254.169.254", "[fd00:ec2::254]", "[::ffff:169.254.169.254]"])
def test_metadata_addresses_stay_refused_when_private_ones_are_allowed(settings, client, tenant, host):
    assert_problem(_create(client, tenant, f"http://{host}/latest/meta-data"), 422, "url")
    assert_problem(_link(client, tenant, f"http://{host}"), 422, "base_url")


def test_a_delivery_to_a_rebinding_name_never_reaches_loopback(settings, app, client, tenant, receiver,
                                                                monkeypatch, frozen_clock):
    port = receiver.server.server_address[1]
    endpoint = _create(client, tenant, f"http://rebind.test:{port}/hook").get_json()
    settings["OUTBOUND_ALLOW_PRIVATE"] = False
    resolver = Resolver(monkeypatch, {"rebind.test": [PUBLIC, "127.0.0.1"]})  # checked public, then loopback
    _deliver_one(app, client, tenant)
    assert receiver.received == [] and resolver.dialled == [(PUBLIC, port)]
    assert _log(client, tenant, endpoint)["items"][0]["error"] == "could not be reached (ConnectionRefusedError)"


def test_a_sync_with_a_rebinding_name_never_reaches_loopback(settings, client, tenant, monkeypatch):
    gateway = FakeGateway("X-Api-Key", KEY)
    gateway.routes[f"/api/sessions/{SESSION}"] = (200, waha_session(SESSION, "WORKING"))
    try:
        port = gateway.server.server_address[1]
        assert _link(client, tenant, f"http://rebind.test:{port}").status_code == 200
        settings["OUTBOUND_ALLOW_PRIVATE"] = False
        resolver = Resolver(monkeypatch, {"rebind.test": [PUBLIC, "127.0.0.1"]})
        assert "could not be reached" in assert_problem(_sync(client, tenant), 502)["detail"]
        assert gateway.requests == [] and resolver.dialled == [(PUBLIC, port)]
        session = client.get(f"/api/v1/sessions/{SESSION}", headers=tenant.headers).get_json()
        assert session.get("gateway_state") is None
    finally:
        gateway.close()


def test_deliveries_and_syncs_ignore_proxy_settings(settings, app, client, tenant, receiver, monkeypatch,
                                                    frozen_clock):
    proxy = Proxy()
    gateway = FakeGateway("X-Api-Key", KEY)
    gateway.routes[f"/api/sessions/{SESSION}"] = (200, waha_session(SESSION, "WORKING"))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        _create(client, tenant, receiver.url)
        _deliver_one(app, client, tenant)
        _link(client, tenant, gateway.url)
        assert _sync(client, tenant).status_code == 200
        assert proxy.seen == []
        assert len(receiver.received) == 1 and len(gateway.requests) == 1
    finally:
        proxy.close()
        gateway.close()


def test_a_dripping_receiver_is_cut_at_the_deadline(settings, app, client, tenant, tarpit, frozen_clock):
    endpoint = _create(client, tenant, tarpit.url + "/hook").get_json()
    started = time.monotonic()
    _deliver_one(app, client, tenant)
    took = time.monotonic() - started
    attempt = _log(client, tenant, endpoint)["items"][0]
    assert attempt["error"] == "no answer within 1 s" and attempt["status_code"] is None
    assert took < 3, took  # WEBHOOK_TIMEOUT_S is 1; a per-read timeout lets the tarpit hold it 10 s


def test_a_sync_against_a_tarpit_is_502_within_the_deadline(settings, client, tenant, tarpit):
    _link(client, tenant, tarpit.url)
    started = time.monotonic()
    body = assert_problem(_sync(client, tenant), 502)
    took = time.monotonic() - started
    assert "did not answer within 1 s" in body["detail"]
    assert took < 3, took  # GATEWAY_TIMEOUT_S is 1; a per-read timeout lets the tarpit hold it 10 s
    assert client.get(f"/api/v1/sessions/{SESSION}", headers=tenant.headers).get_json()["status"] == "open"
