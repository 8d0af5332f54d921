"""Gateway link: ChatKeep asks Evolution, WAHA and the Cloud API how a session is, against
fake gateways that are real HTTP servers on loopback ports (tests/fake_gateways.py)."""
import copy
import gzip
import json
import logging
import time

import pytest

from services.gateways import session_link
from services.operations import scheduler, snapshots
from tests.conftest import assert_problem
from tests.fake_gateways import FakeGateway, cloud_phone_number, evolution_state, waha_session
from tests.webhook_helpers import BOT, EVO_IN, fixture, send, stored

SESSION = "chatkeep-main"  # the Evolution fixtures' instance
KEY = "gateway-key-7f3a9c1e5b2d4f60"


@pytest.fixture
def outbound(app):
    app.config["OUTBOUND_ALLOW_PRIVATE"] = True  # the fake gateways listen on loopback
    app.config["GATEWAY_TIMEOUT_S"] = 1
    return app


@pytest.fixture
def evolution():
    gateway = FakeGateway("apikey", KEY)
    yield gateway
    gateway.close()


@pytest.fixture
def waha():
    gateway = FakeGateway("X-Api-Key", KEY)
    yield gateway
    gateway.close()


@pytest.fixture
def cloud():
    gateway = FakeGateway("Authorization", KEY, auth_scheme="Bearer ")
    yield gateway
    gateway.close()


def _session(client, tenant, status="open", session_id=SESSION):
    assert client.put(f"/api/v1/sessions/{session_id}", json={"status": status},
                      headers=tenant.headers).status_code in (200, 201)


def _link(client, tenant, body, session_id=SESSION):
    return client.put(f"/api/v1/sessions/{session_id}/gateway", json=body, headers=tenant.headers)


def _sync(client, tenant, session_id=SESSION):
    return client.post(f"/api/v1/sessions/{session_id}/sync", headers=tenant.headers)


def test_evolution_status_changes_are_seen_by_sync(outbound, client, tenant, evolution):
    _session(client, tenant, "open")
    path = f"/instance/connectionState/{SESSION}"
    evolution.routes[path] = (200, evolution_state(SESSION, "open"))
    linked = _link(client, tenant, {"kind": "evolution", "base_url": evolution.url, "api_key": KEY})
    assert linked.status_code == 200, linked.get_json()
    assert linked.get_json() == {"kind": "evolution", "base_url": evolution.url, "instance": SESSION,
                                 "api_key_set": True, "last_sync_at": None, "last_sync_error": None}
    first = _sync(client, tenant).get_json()
    assert (first["status"], first["gateway_state"]) == ("open", "open") and first["synced_at"]
    evolution.routes[path] = (200, evolution_state(SESSION, "close"))
    second = _sync(client, tenant).get_json()
    assert (second["status"], second["gateway_state"]) == ("close", "close")
    assert second["status_changed_at"] > first["status_changed_at"]
    assert evolution.requests[-1][1]["apikey"] == KEY


def test_the_schedule_syncs_every_linked_session_once_per_round(outbound, client, tenant, other_tenant, waha,
                                                                  monkeypatch):
    for owner in (tenant, other_tenant):
        _session(client, owner, "connecting", "shop")
        assert _link(client, owner, {"kind": "waha", "base_url": waha.url, "api_key": KEY, "instance": owner.slug},
                     "shop").status_code == 200
        waha.routes[f"/api/sessions/{owner.slug}"] = (200, waha_session(owner.slug, "WORKING"))
    monkeypatch.setattr(scheduler, "_slot", lambda _interval: 10**9)
    scheduler.gateway_sync(outbound)
    scheduler.gateway_sync(outbound)  # the same round: its slot is taken
    assert len(waha.requests) == 2
    for owner in (tenant, other_tenant):
        session = client.get("/api/v1/sessions/shop", headers=owner.headers).get_json()
        assert (session["status"], session["gateway_state"]) == ("open", "WORKING")


def test_the_number_learned_from_waha_releases_held_messages(outbound, client, tenant, waha):
    held = copy.deepcopy(fixture("evolution", "messages_upsert_text_inbound"))
    held.pop("sender")
    assert send(client, "evolution", tenant, held).get_json()["held"] == 1
    assert stored(client, tenant, EVO_IN).status_code == 404
    _session(client, tenant, "open")
    waha.routes[f"/api/sessions/{SESSION}"] = (200, waha_session(SESSION, "WORKING", f"{BOT}@c.us"))
    _link(client, tenant, {"kind": "waha", "base_url": waha.url, "api_key": KEY})
    synced = _sync(client, tenant).get_json()
    assert synced["phone_number"] == BOT
    assert stored(client, tenant, EVO_IN).get_json()["to"] == BOT


def test_cloud_api_health_and_a_token_without_health_status(outbound, client, tenant, cloud):
    _session(client, tenant, "open", "cloud-number")
    base = "/1234567890?fields=display_phone_number,status,quality_rating"
    cloud.routes[base + ",health_status"] = (200, cloud_phone_number("1234567890", "CONNECTED", health="BLOCKED"))
    assert _link(client, tenant, {"kind": "cloud", "base_url": cloud.url, "api_key": KEY, "instance": "1234567890"},
                 "cloud-number").status_code == 200
    blocked = _sync(client, tenant, "cloud-number").get_json()
    assert (blocked["status"], blocked["gateway_state"], blocked["phone_number"]) == ("close", "CONNECTED", BOT)
    cloud.routes[base + ",health_status"] = (400, {"error": {"message": "(#100) Tried accessing nonexisting field "
                                                                       "(health_status)", "code": 100}})
    cloud.routes[base] = (200, cloud_phone_number("1234567890", "CONNECTED"))
    assert _sync(client, tenant, "cloud-number").get_json()["status"] == "open"
    assert cloud.requests[-1][1]["Authorization"] == f"Bearer {KEY}"


def test_the_cloud_api_base_url_defaults_to_the_graph_api(outbound, client, tenant):
    _session(client, tenant)
    linked = _link(client, tenant, {"kind": "cloud", "api_key": KEY, "instance": "1234567890"}).get_json()
    assert linked["base_url"].startswith("https://graph.facebook.com/")


def test_a_wrong_key_is_502_and_keeps_the_status(outbound, client, tenant, evolution):
    _session(client, tenant, "open")
    evolution.routes[f"/instance/connectionState/{SESSION}"] = (200, evolution_state(SESSION, "close"))
    _link(client, tenant, {"kind": "evolution", "base_url": evolution.url, "api_key": "not-the-key"})
    body = assert_problem(_sync(client, tenant), 502)
    assert "refused the API key" in body["detail"]
    assert client.get(f"/api/v1/sessions/{SESSION}", headers=tenant.headers).get_json()["status"] == "open"
    link = client.get(f"/api/v1/sessions/{SESSION}/gateway", headers=tenant.headers).get_json()
    assert "refused the API key" in link["last_sync_error"] and link["last_sync_at"]


def test_a_gateway_slower_than_the_timeout_is_502_in_bounded_time(outbound, client, tenant, waha):
    _session(client, tenant, "open")
    waha.routes[f"/api/sessions/{SESSION}"] = (200, waha_session(SESSION, "STOPPED"))
    waha.delay_s = 3  # GATEWAY_TIMEOUT_S is 1
    _link(client, tenant, {"kind": "waha", "base_url": waha.url, "api_key": KEY})
    started = time.monotonic()
    body = assert_problem(_sync(client, tenant), 502)
    assert time.monotonic() - started < 2.5  # one read timeout, not the gateway's 3 s
    assert "did not answer within 1 s" in body["detail"]
    assert client.get(f"/api/v1/sessions/{SESSION}", headers=tenant.headers).get_json()["status"] == "open"


def test_an_unreachable_gateway_is_502(outbound, client, tenant, waha):
    _session(client, tenant)
    _link(client, tenant, {"kind": "waha", "base_url": waha.url, "api_key": KEY})
    waha.close()
    assert "could not be reached" in assert_problem(_sync(client, tenant), 502)["detail"]


def test_the_key_is_in_no_response_log_line_or_snapshot(outbound, client, tenant, waha, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    _session(client, tenant)
    waha.routes[f"/api/sessions/{SESSION}"] = (200, waha_session(SESSION, "WORKING"))
    answers = [_link(client, tenant, {"kind": "waha", "base_url": waha.url, "api_key": KEY}),
               client.get(f"/api/v1/sessions/{SESSION}/gateway", headers=tenant.headers),
               _sync(client, tenant), client.get(f"/api/v1/sessions/{SESSION}", headers=tenant.headers),
               client.get("/api/v1/sessions", headers=tenant.headers)]
    waha.routes.clear()
    answers.append(_sync(client, tenant))  # a failure's problem body and log line
    assert all(KEY not in answer.get_data(as_text=True) for answer in answers)
    assert KEY not in caplog.text
    with outbound.app_context():
        manifest = snapshots.take_snapshot(str(tmp_path), "manual", 2)
    generation = tmp_path / "snapshots" / manifest["generation"]
    for path in generation.iterdir():
        raw = path.read_bytes()
        text = gzip.decompress(raw).decode() if path.suffix == ".gz" else raw.decode()
        assert KEY not in text, path.name
    sessions = gzip.decompress((generation / "gateway_sessions.jsonl.gz").read_bytes()).decode()
    assert "link_api_key" in sessions  # the link is in the snapshot, its key only as ciphertext


def test_private_addresses_are_refused_without_the_setting(app, client, tenant):
    _session(client, tenant)
    for url in ("http://127.0.0.1:3000", "http://10.0.0.5", "http://169.254.169.254/latest", "http://[::1]:8080",
                "http://localhost:3000"):
        body = assert_problem(_link(client, tenant, {"kind": "waha", "base_url": url, "api_key": KEY}), 422,
                              "base_url")
        assert "OUTBOUND_ALLOW_PRIVATE" in json.dumps(body)
    for url in ("ftp://gateway.example.com", "gateway.example.com", "http://user:pw@gateway.example.com"):
        assert_problem(_link(client, tenant, {"kind": "waha", "base_url": url, "api_key": KEY}), 422, "base_url")
    assert client.get(f"/api/v1/sessions/{SESSION}/gateway", headers=tenant.headers).status_code == 404


def test_the_address_is_checked_again_at_every_sync(outbound, client, tenant, waha):
    """Linked while private addresses were allowed; refused at the sync once they are not."""
    _session(client, tenant)
    _link(client, tenant, {"kind": "waha", "base_url": waha.url, "api_key": KEY})
    outbound.config["OUTBOUND_ALLOW_PRIVATE"] = False
    assert "is not allowed" in assert_problem(_sync(client, tenant), 502)["detail"]
    assert waha.requests == []


def test_link_input_and_tenancy(outbound, client, tenant, other_tenant, waha):
    assert_problem(_link(client, tenant, {"kind": "waha", "base_url": waha.url, "api_key": KEY}), 404)  # no session
    _session(client, tenant)
    assert_problem(_link(client, tenant, {"kind": "matrix", "base_url": waha.url, "api_key": KEY}), 422, "kind")
    assert_problem(_link(client, tenant, {"kind": "waha", "api_key": KEY}), 422, "base_url")
    assert_problem(_link(client, tenant, {"kind": "waha", "base_url": waha.url}), 422, "api_key")
    assert_problem(_link(client, tenant, {"kind": "waha", "base_url": waha.url, "api_key": KEY, "x": 1}), 422, "x")
    assert_problem(_sync(client, tenant), 404)  # not linked
    assert _link(client, tenant, {"kind": "waha", "base_url": waha.url, "api_key": KEY}).status_code == 200
    for method in ("get", "delete"):
        assert_problem(getattr(client, method)(f"/api/v1/sessions/{SESSION}/gateway", headers=other_tenant.headers),
                       404)
    assert_problem(_sync(client, other_tenant), 404)
    assert client.delete(f"/api/v1/sessions/{SESSION}/gateway", headers=tenant.headers).status_code == 204
    assert_problem(client.get(f"/api/v1/sessions/{SESSION}/gateway", headers=tenant.headers), 404)


def test_evolution_webhook_by_events_urls(client, tenant):
    """Evolution's "webhook by events" mode appends the event name to the configured URL,
    after its query string too."""
    body = json.dumps(fixture("evolution", "messages_upsert_text_inbound")).encode()
    by_path = client.post(f"/webhooks/evolution/{tenant.slug}/messages-upsert",
                          data=body, content_type="application/json", headers={"X-Webhook-Token": tenant.webhook_token})
    assert by_path.get_json()["accepted"] == 1
    after_query = client.post(f"/webhooks/evolution/{tenant.slug}?token={tenant.webhook_token}/messages-upsert",
                              data=body, content_type="application/json")
    assert after_query.get_json()["duplicates"] == 1
    assert client.post(f"/webhooks/evolution/{tenant.slug}/messages-upsert?token=wrong/messages-upsert",
                       data=body, content_type="application/json").status_code == 401
    assert client.post(f"/webhooks/evolution/{tenant.slug}/Not_An_Event", data=body, content_type="application/json",
                       headers={"X-Webhook-Token": tenant.webhook_token}).status_code == 404


def test_a_dead_gateway_costs_only_its_own_sessions(outbound, client, tenant, other_tenant, waha, evolution):
    _session(client, tenant, "close", "slow")
    _link(client, tenant, {"kind": "evolution", "base_url": evolution.url, "api_key": KEY}, "slow")
    evolution.delay_s = 3
    _session(client, other_tenant, "close", "fine")
    waha.routes["/api/sessions/fine"] = (200, waha_session("fine", "WORKING"))
    _link(client, other_tenant, {"kind": "waha", "base_url": waha.url, "api_key": KEY}, "fine")
    with outbound.app_context():
        counts = session_link.sync_every_linked(1, True)
    assert counts == {"ok": 1, "failed": 1}
    assert client.get("/api/v1/sessions/fine", headers=other_tenant.headers).get_json()["status"] == "open"
    slow = client.get("/api/v1/sessions/slow/gateway", headers=tenant.headers).get_json()
    assert "did not answer" in slow["last_sync_error"]


def test_a_sync_asked_through_the_api_ends_before_the_worker_timeout(outbound, client, tenant, waha, monkeypatch):
    """GATEWAY_TIMEOUT_S may be 60 s, and gunicorn kills a sync worker silent for 30 s: a
    sync a request waits for is cut to end before that (heartbeat.REQUEST_CALL_LIMIT_S, 1 s
    here), so the client gets its 502 rather than a reset connection."""
    from services.operations import heartbeat

    monkeypatch.setattr(heartbeat, "REQUEST_CALL_LIMIT_S", 1)
    outbound.config["GATEWAY_TIMEOUT_S"] = 60
    _session(client, tenant, "open")
    waha.routes[f"/api/sessions/{SESSION}"] = (200, waha_session(SESSION, "STOPPED"))
    waha.delay_s = 3
    _link(client, tenant, {"kind": "waha", "base_url": waha.url, "api_key": KEY})
    started = time.monotonic()
    body = assert_problem(_sync(client, tenant), 502)
    assert time.monotonic() - started < 2.5, body  # the 1 s limit, not the gateway's 3 s
    assert "did not answer within 1 s" in body["detail"]
