"""services.outbound on its own: which addresses are refused, the one lookup and the
connection to its answer, no proxy, the deadline over DNS and a dripping peer, TLS names.
Peers are real loopback servers (tests/outbound_peers.py)."""
import time

import pytest

from services import outbound, outbound_wire
from tests.outbound_peers import PUBLIC, Proxy, Resolver, Tarpit, TlsServer
from tests.webhook_receiver import Receiver

CARRIED = ["::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",
           "64:ff9b::a00:1", "2002:7f00:1::", "2002:a9fe:a9fe::", "2002:a00:1::", "::127.0.0.1", "::10.0.0.1",
           "::ffff:0:7f00:1", "::ffff:0:a9fe:a9fe"]


@pytest.mark.parametrize("address", CARRIED)
def test_ipv6_forms_carrying_a_private_ipv4_address_are_private(address):
    assert outbound.is_private(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
                                     "64:ff9b::5db8:d70e", "2002:5db8:d70e::1"])
def test_public_addresses_and_forms_carrying_one_are_not(address):
    assert not outbound.is_private(address)


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data", "http://[fd00:ec2::254]/",
                                 "http://[::ffff:169.254.169.254]/", "http://[64:ff9b::a9fe:a9fe]/",
                                 "http://[2002:a9fe:a9fe::]/"])
def test_metadata_addresses_are_refused_even_when_private_ones_are_allowed(url):
    with pytest.raises(outbound.OutboundRefused, match="not allowed"):
        outbound.check_url(url, True, 1)
    with pytest.raises(outbound.OutboundRefused, match="not allowed"):
        outbound.get(url, {}, 1, True)


def test_a_rebinding_name_is_connected_to_at_the_address_checked(monkeypatch):
    receiver = Receiver()
    resolver = Resolver(monkeypatch, {"rebind.test": [PUBLIC, "127.0.0.1"]})
    try:
        with pytest.raises(outbound.OutboundFailed, match="ConnectionRefusedError"):
            outbound.post(f"http://rebind.test:{receiver.server.server_address[1]}/hook", b"{}", {}, 1, False)
        assert receiver.received == []
        assert resolver.dialled == [(PUBLIC, receiver.server.server_address[1])] and resolver.lookups["rebind.test"] == 1
    finally:
        receiver.close()


def test_the_name_goes_in_the_host_header_and_the_path_as_given(monkeypatch):
    receiver = Receiver()
    Resolver(monkeypatch, {"hooks.test": ["127.0.0.1"]})
    try:
        answer = outbound.post(f"http://hooks.test:{receiver.server.server_address[1]}/hook?x=1#cut", b'{"a":1}', {"X-Y": "z"}, 2, True)
        assert answer.status == 200 and answer.body == b""
        assert receiver.received[0]["headers"]["Host"] == f"hooks.test:{receiver.server.server_address[1]}"
        assert receiver.received[0]["headers"]["X-Y"] == "z" and receiver.received[0]["body"] == {"a": 1}
    finally:
        receiver.close()


def test_proxy_settings_are_ignored(monkeypatch):
    proxy, receiver = Proxy(), Receiver()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        assert outbound.post(receiver.url, b"{}", {}, 2, True).status == 200
        assert proxy.seen == [] and len(receiver.received) == 1
    finally:
        proxy.close()
        receiver.close()


def test_a_dripping_peer_is_cut_at_the_deadline():
    tarpit = Tarpit(interval_s=0.5, for_s=10)
    try:
        started = time.monotonic()
        with pytest.raises(outbound.OutboundTimeout):
            outbound.get(tarpit.url + "/x", {}, 1, True)
        took = time.monotonic() - started
        assert took < 3, took  # the deadline is 1 s; the tarpit would hold a per-read timeout 10 s
    finally:
        tarpit.close()


def test_a_dripping_peer_is_cut_at_the_deadline_during_the_tls_handshake_too():
    tarpit = Tarpit(interval_s=0.5, for_s=10)
    try:
        started = time.monotonic()
        with pytest.raises(outbound.OutboundTimeout):
            outbound.get(f"https://127.0.0.1:{tarpit.port}/x", {}, 1, True)
        assert time.monotonic() - started < 3
    finally:
        tarpit.close()


def test_a_slow_lookup_counts_in_the_deadline(monkeypatch):
    Resolver(monkeypatch, {"slow.test": ("sleep", 4)})
    started = time.monotonic()
    with pytest.raises(outbound.OutboundTimeout):
        outbound.post("http://slow.test/hook", b"{}", {}, 1, False)
    assert time.monotonic() - started < 3
    with pytest.raises(outbound.OutboundRefused, match="not allowed"):  # at validation: refused, no hint
        outbound.check_url("http://slow.test/hook", False, 1)


def test_tls_verifies_the_url_name_at_the_address_connected_to(monkeypatch):
    server = TlsServer("hook.test")
    Resolver(monkeypatch, {"hook.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    monkeypatch.setattr(outbound_wire, "tls_context", server.trust)
    try:
        assert outbound.get(f"https://hook.test:{server.port}/state", {}, 2, True).status == 200
        assert server.sni == ["hook.test"] and server.hosts == [f"hook.test:{server.port}"]
        with pytest.raises(outbound.OutboundFailed, match="SSLCertVerificationError"):
            outbound.get(f"https://other.test:{server.port}/state", {}, 2, True)  # same address, wrong name
        assert server.hosts == [f"hook.test:{server.port}"]
    finally:
        server.close()
