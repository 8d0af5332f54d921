"""The gateway webhooks' fast path answers exactly as the Flask routes do, and answers
itself only what it can answer in full.

Each case goes to two tenants of one app: through the app as deployed (the fast path in
front) and through the Flask app alone (what the fast path hands refusals to). The
answers, and what each tenant ends up with, must be the same.
"""
import json

import pytest
from pymongo import _csot
from pymongo.errors import OperationFailure
from werkzeug.test import Client

from blueprints import request_scope, webhook_fast_path
from models.tenancy import _current_tenant
from services.errors import Conflict
from tests.conftest import assert_problem
from tests.webhook_helpers import EVO_OUT, WAHA_OUT, configure_cloud, fixture, send

EVOLUTION_STORY = ["send_message_outbound", "messages_update_server_ack", "messages_update_read",
                   "messages_upsert_text_inbound", "messages_upsert_image", "send_message_outbound",
                   "unknown_event_presence_update", "connection_update_open", "messages_update_error"]
CLOUD_STORY = ["messages_text", "statuses_delivered", "statuses_read", "messages_batch_two_messages",
               "statuses_batch_mixed", "messages_text"]
WAHA_STORY = ["message_any_outbound", "message_ack_server", "message_ack_read", "message_inbound_text",
              "unknown_event", "session_status_working", "message_any_outbound"]


@pytest.fixture
def flask_only(app):
    """A client of the Flask app without the fast path in front."""
    assert isinstance(app.wsgi_app, webhook_fast_path.GatewayWebhooks)
    return Client(app.wsgi_app.wsgi_app, app.response_class)


@pytest.fixture
def handed_over(app, flask_only, monkeypatch):
    """How many requests the fast path handed to the Flask app."""
    count = [0]
    flask_app = app.wsgi_app.wsgi_app

    def counted(environ, start_response):
        count[0] += 1
        return flask_app(environ, start_response)
    monkeypatch.setattr(app.wsgi_app, "wsgi_app", counted)
    return count


def _post(http, path: str, body, content_type="application/json", headers=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return http.post(path, data=data, content_type=content_type, headers=headers or {})


def _answer(response) -> tuple:
    """What a client sees, byte for byte, but the request's own id."""
    request_id = response.headers.get("X-Request-Id")
    assert request_id, response.headers
    body = response.get_data()
    assert response.headers.get("Content-Length", str(len(body))) == str(len(body))
    # The length follows the id's (a counter in hex: ...-f, then ...-10): checked above.
    headers = sorted((name, value) for name, value in response.headers.items()
                     if name not in ("X-Request-Id", "Content-Length"))
    return response.status_code, headers, body.replace(request_id.encode(), b"<request id>")


def _both(client, flask_only, tenant, other_tenant, path: str, body, handed_over: list, fast_path: bool = True,
          **kwargs):
    """The same request to both paths (`path` has {slug} and {token}); the deployed
    path's answer, after checking that the fast path answered it (`fast_path`) or handed
    it over."""
    before = handed_over[0]
    fast = _post(client, path.format(slug=tenant.slug, token=tenant.webhook_token), body, **kwargs)
    assert handed_over[0] - before == (0 if fast_path else 1), fast.get_data(as_text=True)
    slow = _post(flask_only, path.format(slug=other_tenant.slug, token=other_tenant.webhook_token), body, **kwargs)
    assert _answer(fast) == _answer(slow), (fast.get_data(as_text=True), slow.get_data(as_text=True))
    return fast


def _holdings(client, tenant) -> list:
    """What a tenant has: its messages (id, direction, status, text) and sessions' states."""
    messages = client.get("/api/v1/messages?limit=100", headers=tenant.headers).get_json()["items"]
    sessions = client.get("/api/v1/sessions", headers=tenant.headers).get_json()
    return [sorted((m["external_id"], m["direction"], m["status"], m.get("text")) for m in messages),
            sorted((s["session_id"], s["status"], s["phone_number"]) for s in sessions.get("items", sessions))]


def test_stories_answer_and_store_alike_on_both_paths(client, flask_only, tenant, other_tenant, handed_over):
    for name in EVOLUTION_STORY:
        answer = _both(client, flask_only, tenant, other_tenant, "/webhooks/evolution/{slug}?token={token}",
                       fixture("evolution", name), handed_over)
        assert answer.status_code == 200
    for name in WAHA_STORY:  # the token as a header
        before = handed_over[0]
        fast = _post(client, f"/webhooks/waha/{tenant.slug}", fixture("waha", name),
                     headers={"X-Webhook-Token": tenant.webhook_token})
        assert handed_over[0] == before, fast.get_data(as_text=True)  # answered by the fast path
        slow = _post(flask_only, f"/webhooks/waha/{other_tenant.slug}", fixture("waha", name),
                     headers={"X-Webhook-Token": other_tenant.webhook_token})
        assert _answer(fast) == _answer(slow) and fast.status_code == 200
    # "Webhook by events" mode: the event's name after the URL, and after the token too.
    for path in ("/webhooks/evolution/{slug}/messages-upsert?token={token}",
                 "/webhooks/evolution/{slug}?token={token}/messages-upsert"):
        assert _both(client, flask_only, tenant, other_tenant, path,
                     fixture("evolution", "messages_upsert_audio"), handed_over).status_code == 200
    assert _holdings(client, tenant) == _holdings(client, other_tenant)
    assert EVO_OUT in str(_holdings(client, tenant)) and WAHA_OUT in str(_holdings(client, tenant))


def test_cloud_api_answers_and_stores_alike_on_both_paths(client, flask_only, admin, tenant, other_tenant,
                                                          handed_over):
    for handle in (tenant, other_tenant):
        configure_cloud(client, admin, handle)
    handed_over[0] = 0  # counted from here: the webhooks
    for name in CLOUD_STORY:
        fast = send(client, "cloud", tenant, name)
        assert handed_over == [0] and fast.status_code == 200, fast.get_json()
        assert _answer(fast) == _answer(send(flask_only, "cloud", other_tenant, name))
    assert _holdings(client, tenant) == _holdings(client, other_tenant) != [[], []]
    handed_over[0] = 0
    body = json.dumps(fixture("cloud", "messages_text")).encode()
    for signature in ("sha256=" + "0" * 64, ""):
        fast = client.post(f"/webhooks/whatsapp/{tenant.slug}", data=body, content_type="application/json",
                           headers={"X-Hub-Signature-256": signature})
        slow = flask_only.post(f"/webhooks/whatsapp/{other_tenant.slug}", data=body,
                               content_type="application/json", headers={"X-Hub-Signature-256": signature})
        assert _answer(fast) == _answer(slow) and fast.status_code == 401
    assert handed_over == [2]


@pytest.mark.parametrize("path,body,content_type,fast_path", [
    ("/webhooks/evolution/{slug}?token=wrong", "messages_upsert_text_inbound", "application/json", False),
    ("/webhooks/evolution/{slug}", "messages_upsert_text_inbound", "application/json", False),
    ("/webhooks/evolution/no-such-tenant?token={token}", "messages_upsert_text_inbound", "application/json", False),
    ("/webhooks/evolution/{slug}/Not_An_Event?token={token}", "messages_upsert_text_inbound", "application/json",
     False),
    ("/webhooks/evolution/{slug}?token={token}", b"{not json", "application/json", False),
    ("/webhooks/evolution/{slug}?token={token}", b"[1, 2]", "application/json", False),
    ("/webhooks/evolution/{slug}?token={token}", b"[" * 100_000, "application/json", False),
    ("/webhooks/evolution/{slug}?token={token}", "messages_upsert_text_inbound", "text/plain", False),
    ("/webhooks/waha/{slug}?token={token}", b"", "application/json", False),
    # Read and verified, refused by the parser: the fast path answers as the route does.
    ("/webhooks/evolution/{slug}?token={token}", {"event": "messages.upsert", "data": {}}, "application/json",
     True),
    ("/webhooks/waha/{slug}?token={token}", {"event": "message", "payload": {}}, "application/json", True),
])
def test_refusals_answer_alike_and_store_nothing(client, flask_only, tenant, other_tenant, handed_over, path, body,
                                                   content_type, fast_path):
    if isinstance(body, str):
        body = fixture("evolution", body)
    answer = _both(client, flask_only, tenant, other_tenant, path, body, handed_over, fast_path,
                   content_type=content_type)
    assert_problem(answer, answer.status_code)
    assert answer.status_code in (400, 401, 404, 415, 422)
    assert _holdings(client, tenant) == _holdings(client, other_tenant) == [[], []]


def test_an_oversized_body_goes_to_the_flask_route(app, client, tenant, handed_over):
    good = fixture("evolution", "messages_upsert_text_inbound")
    app.config["MAX_CONTENT_LENGTH"] = 64
    assert_problem(_post(client, f"/webhooks/evolution/{tenant.slug}?token={tenant.webhook_token}", good), 413)
    assert handed_over == [1]
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20
    answer = _post(client, f"/webhooks/evolution/{tenant.slug}?token={tenant.webhook_token}", good)
    assert answer.status_code == 200 and answer.get_json()["accepted"] == 1
    assert handed_over == [1]


def test_request_ids_metrics_and_the_requests_context(client, tenant, monkeypatch, handed_over):
    observed = []
    monkeypatch.setattr(request_scope, "observe_request", lambda *args: observed.append(args[:3]))
    answer = _post(client, f"/webhooks/evolution/{tenant.slug}/messages-upsert?token={tenant.webhook_token}",
                   fixture("evolution", "messages_upsert_text_inbound"), headers={"X-Request-Id": "gw-42"})
    assert answer.status_code == 200 and answer.headers["X-Request-Id"] == "gw-42"
    assert handed_over == [0]  # the fast path's own scope, not Flask's hooks
    assert observed == [("POST", "/webhooks/evolution/<slug>/<event_name>", 200)]
    # Nothing of the request outlives it: its tenant and its database deadline.
    assert _current_tenant.get() is None
    assert _csot.get_timeout() is None


@pytest.mark.parametrize("error,status", [
    (RuntimeError("a bug"), 500),
    (OperationFailure("bad command", 2), 500),
    (Conflict("held elsewhere"), 409),
])
def test_an_error_while_storing_is_answered_by_the_apps_handlers(app, client, tenant, monkeypatch, error, status):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as deployed: TESTING re-raises unhandled errors on both paths
    def failing(*_args):
        raise error
    monkeypatch.setattr(webhook_fast_path, "store", failing)
    answer = _post(client, f"/webhooks/evolution/{tenant.slug}?token={tenant.webhook_token}",
                   fixture("evolution", "messages_upsert_text_inbound"))
    body = assert_problem(answer, status)
    assert body["request_id"] == answer.headers["X-Request-Id"]
    assert "a bug" not in answer.get_data(as_text=True)
    assert _current_tenant.get() is None
