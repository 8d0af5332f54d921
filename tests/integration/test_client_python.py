"""The Python client (clients/python, import chatkeep) against a real ChatKeep (gunicorn,
2 workers, nx-27017): every resource, pagination over pages, problems as ProblemError,
webhook signatures, and the async client with the same names."""
import asyncio
import threading
import time
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from chatkeep import AsyncChatKeep, ChatKeep, ProblemError, WebhookVerificationError, verify_webhook
from tests.conftest import ADMIN_TOKEN, nx_database
from tests.integration.processes import Service, wait_until
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.slow
ENV = {"CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "OUTBOUND_ALLOW_PRIVATE": "true", "WEBHOOK_RETRY_BASE_S": "1",
       "EVENTS_CLOCK_SKEW_MS": "0", "SNAPSHOT_INTERVAL_S": "0", "GATEWAY_TIMEOUT_S": "1"}
A, B = "5511912345678", "5511987654321"


@pytest.fixture(scope="module")
def service(nx_server, tmp_path_factory):
    databases = nx_database(nx_server)
    with Service(tmp_path_factory.mktemp("client-python"), {**ENV, "MONGODB_URI": next(databases)}) as running:
        yield running
    next(databases, None)


@pytest.fixture(scope="module")
def admin(service):
    with ChatKeep(service.url, admin_token=ADMIN_TOKEN) as client:
        yield client


def _tenant(service, admin, slug, **options):
    created = admin.admin.tenants.create(slug, name=slug.title())
    return ChatKeep(service.url, api_key=created.api_key, **options)


def test_admin_tenants(admin):
    created = admin.admin.tenants.create("client-admin", name="Acme")
    assert created.api_key and created.webhook_token and isinstance(created.created_at, datetime)
    assert admin.admin.tenants.get("client-admin").name == "Acme"
    assert admin.admin.tenants.update("client-admin", timezone="America/Sao_Paulo").timezone == "America/Sao_Paulo"
    assert "client-admin" in [t.slug for t in admin.admin.tenants.list(limit=1)]
    assert admin.admin.tenants.rotate_key("client-admin").api_key != created.api_key
    assert admin.admin.tenants.rotate_webhook_token("client-admin").webhook_token != created.webhook_token
    with pytest.raises(ProblemError) as taken:
        admin.admin.tenants.create("client-admin", name="Again")
    assert taken.value.status == 409
    assert isinstance(admin.admin.snapshots.list().items, list)


def test_messages_conversations_and_sessions(service, admin):
    ck = _tenant(service, admin, "client-messages")
    session = ck.sessions.put("store-main", status="open", phone_number="+55 11 98765-4321")
    assert (session.phone_number, session.status) == (B, "open") and session.gateway_state is None
    assert ck.sessions.get("store-main").status_changed_at is not None
    m = ck.messages.create(session_id="store-main", direction="in", from_=A, to=B, text="Oi", external_id="wamid.1")
    assert (m.from_, m.to, m.status, m.media) == (A, B, "delivered", None)
    assert ck.messages.create(session_id="store-main", direction="in", from_=A, to=B, text="Oi",
                              external_id="wamid.1").id == m.id  # idempotent
    out = ck.messages.create(session_id="store-main", direction="out", from_=B, to=A, text="Olá")
    assert ck.messages.update_status(out.id, "read").read_at is not None
    assert ck.messages.get(m.id).text == "Oi" and ck.messages.get_by_external_id("wamid.1").id == m.id
    assert [x.id for x in ck.messages.list(direction="out")] == [out.id]
    [conversation] = list(ck.conversations.list())
    assert conversation.conversation_id == f"{A}:{B}" and conversation.unread_count == 1
    assert conversation.last_message.id == out.id
    assert [x.id for x in ck.conversations.messages(B, A)] == [out.id, m.id]
    assert ck.conversations.read(A, B).unread_count == 0
    assert ck.conversations.get(A, B).message_count == 2
    ck.conversations.delete(A, B)
    assert list(ck.conversations.list()) == []
    link = ck.sessions.link_gateway("store-main", "waha", "key", base_url="http://127.0.0.1:9")
    assert link.api_key_set and ck.sessions.gateway("store-main").kind == "waha"
    with pytest.raises(ProblemError) as unreachable:
        ck.sessions.sync("store-main")
    assert unreachable.value.status == 502
    ck.sessions.unlink_gateway("store-main")
    assert [s.session_id for s in ck.sessions.list(status="open")] == ["store-main"]
    ck.sessions.delete("store-main")
    assert list(ck.sessions.list()) == []


def test_chat_sessions_orders_stats_and_contacts(service, admin):
    ck = _tenant(service, admin, "client-commerce")
    assert ck.chat_sessions.put(A, {"step": 2}).state.additional_properties == {"step": 2}
    assert ck.chat_sessions.get(A).state["step"] == 2
    assert [c.phone for c in ck.chat_sessions.list()] == [A]
    ck.chat_sessions.delete(A)
    with pytest.raises(ProblemError) as gone:
        ck.chat_sessions.get(A)
    assert gone.value.status == 404
    o = ck.orders.create(external_order_id="SO-1", recipient_phone=A,
                         items=[{"product_type": "usb", "quantity": 2, "unit_price": "10.05"}])
    assert o.total == Decimal("20.10") and o.items[0].unit_price == Decimal("10.05") and o.revenue is None
    done = ck.orders.complete(o.id)
    assert (done.status, done.revenue) == ("completed", Decimal("20.10"))
    other = ck.orders.create(external_order_id="SO-2", recipient_phone=A, items=[
        {"product_type": "cable", "quantity": 1, "unit_price": Decimal("3.50")}])
    assert ck.orders.cancel(other.id).status == "cancelled"
    with pytest.raises(ProblemError) as illegal:
        ck.orders.complete(other.id)
    assert illegal.value.status == 409
    assert [x.id for x in ck.orders.list(status="completed")] == [o.id] and ck.orders.get(o.id).id == o.id
    stats = ck.stats.get()
    assert stats.totals.revenue == Decimal("20.10") and stats.totals.by_product_type["usb"].revenue == Decimal("20.10")
    assert isinstance(stats.daily[-1].revenue, Decimal)
    exported = ck.contacts.export(A)
    assert [x.id for x in exported.orders] == [o.id, other.id] and exported.phone == A
    assert exported.chat_session is None and exported.orders[0].total == Decimal("20.10")
    erasure = ck.contacts.erase(A)
    assert erasure.state == "done" and ck.contacts.erasure(erasure.id).erased.orders_anonymised == 2


def test_lists_follow_every_page(service, admin):
    counted = []
    ck = _tenant(service, admin, "client-pages", httpx_args={"event_hooks": {"request": [counted.append]}})
    for n in range(7):
        ck.sessions.put(f"s{n}", status="open")
    before = len(counted)
    pages = ck.sessions.list(limit=3)
    assert [s.session_id for s in pages] == [f"s{n}" for n in range(7)]
    assert len(counted) - before == 3  # 3 + 3 + 1
    assert ck.sessions.list(limit=3).first_page().next_cursor is not None


def test_the_event_feed_pages_and_resumes(service, admin):
    ck = _tenant(service, admin, "client-events")
    for n in range(5):
        ck.messages.create(session_id="main", direction="in", from_=A, to=B, text=f"m{n}", external_id=f"e{n}")
    feed, seen = ck.events.list(type="message.created", limit=2), []
    wait_until(lambda: seen.extend(e.data["text"] for e in feed) or len(seen) >= 5)  # each pass resumes
    assert sorted(seen) == [f"m{n}" for n in range(5)], seen
    ck.messages.create(session_id="main", direction="in", from_=A, to=B, text="later", external_id="e-later")
    later = wait_until(lambda: [e.data["text"] for e in ck.events.list(after=feed.next_cursor)] or None)
    assert later == ["later"]


def test_errors_are_problems_with_their_fields(service, admin):
    ck = _tenant(service, admin, "client-errors")
    with pytest.raises(ProblemError) as missing:
        ck.messages.get("6740a1b2c3d4e5f601234567")
    assert (missing.value.status, missing.value.title) == (404, "Not Found") and missing.value.request_id
    with pytest.raises(ProblemError) as invalid:
        ck.messages.create(session_id="main", direction="sideways", from_="not a phone", to=B, text="x")
    problem = invalid.value
    assert problem.status == 422 and {"direction", "from"} <= set(problem.errors), problem.errors
    assert problem.type == "about:blank" and problem.title
    with pytest.raises(ProblemError) as unauthorized:
        ChatKeep(service.url, api_key="ck_live_wrong").sessions.get("x")
    assert unauthorized.value.status == 401


def test_an_error_page_that_is_not_json_is_still_a_problem():
    class Proxy(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = b"<html><body>502 Bad Gateway</body></html>"
            self.send_response(502)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(ProblemError) as bad_gateway:
            ChatKeep(f"http://127.0.0.1:{server.server_address[1]}", api_key="k").stats.get()
        assert bad_gateway.value.status == 502 and "Bad Gateway" in bad_gateway.value.detail
    finally:
        server.shutdown()


def test_webhook_signatures_are_verified_and_forgeries_refused(service, admin):
    ck = _tenant(service, admin, "client-hooks")
    receiver = Receiver()
    try:
        endpoint = ck.webhook_endpoints.create(receiver.url, types=["message.created"], description="bot")
        assert endpoint.secret.startswith("whsec_") and ck.webhook_endpoints.get(endpoint.id).description == "bot"
        assert ck.webhook_endpoints.update(endpoint.id, description=None).description is None
        assert [e.id for e in ck.webhook_endpoints.list()] == [endpoint.id]
        ck.messages.create(session_id="main", direction="in", from_=A, to=B, text="signed", external_id="sig-1")
        delivery = wait_until(lambda: receiver.received[0] if receiver.received else None)
        raw, header = delivery["raw"], delivery["headers"]["ChatKeep-Signature"]
        event = verify_webhook(raw, header, endpoint.secret)
        assert event.type_ == "message.created" and event.data["text"] == "signed"
        forged = raw.replace(b"signed", b"forged")
        for body, secret, now in ((forged, endpoint.secret, None), (raw, "whsec_other", None),
                                  (raw, endpoint.secret, time.time() + 3600)):
            with pytest.raises(WebhookVerificationError):
                verify_webhook(body, header, secret, now=now)
        with pytest.raises(WebhookVerificationError):
            verify_webhook(raw, "v1=abc", endpoint.secret)
        assert [d.event_type for d in ck.webhook_endpoints.deliveries(endpoint.id)][:1] == ["message.created"]
        assert ck.webhook_endpoints.rotate_secret(endpoint.id).secret != endpoint.secret
        ck.webhook_endpoints.delete(endpoint.id)
        assert list(ck.webhook_endpoints.list()) == []
    finally:
        receiver.close()


def test_the_async_client_has_the_same_names(service, admin):
    key = admin.admin.tenants.create("client-async", name="Async").api_key

    async def scenario():
        async with AsyncChatKeep(service.url, api_key=key) as ck:
            await ck.sessions.put("main", status="open")
            for n in range(5):
                await ck.messages.create(session_id="main", direction="out", from_=B, to=A, text=f"a{n}")
            texts = [m.text async for m in ck.messages.list(limit=2)]
            order = await ck.orders.create(external_order_id="A-1", recipient_phone=A,
                                           items=[{"product_type": "usb", "quantity": 1, "unit_price": "1.10"}])
            try:
                await ck.messages.get("missing")
            except ProblemError as problem:
                return texts, order.total, problem.status

    texts, total, status = asyncio.run(scenario())
    assert texts == [f"a{n}" for n in reversed(range(5))] and total == Decimal("1.10") and status == 404


def _skip_unless_served(service, *paths):
    """Message search, export and analytics (API v1.2) are built beside this client."""
    served = httpx.get(f"{service.url}/openapi.json", timeout=10).json()["paths"]
    missing = [path for path in paths if path not in served]
    if missing:
        pytest.skip(f"the service does not serve {', '.join(missing)} yet")


def test_search_and_export(service, admin):
    _skip_unless_served(service, "/api/v1/messages/search", "/api/v1/messages/export")
    ck = _tenant(service, admin, "client-search")
    ck.messages.create(session_id="main", direction="in", from_=A, to=B, text="Café na entrega", external_id="s1")
    ck.messages.create(session_id="main", direction="in", from_=A, to=B, text="linha\n\"dois\"", external_id="s2")
    found = [m.text for m in ck.messages.search("cafe entreg*")]
    assert found == ["Café na entrega"]
    assert [m.external_id for m in ck.messages.export()] == ["s1", "s2"]
    rows = list(ck.messages.export(format="csv"))
    assert [r["text"] for r in rows] == ["Café na entrega", "linha\n\"dois\""] and rows[0]["direction"] == "in"


def test_analytics(service, admin):
    _skip_unless_served(service, "/api/v1/analytics/delivery", "/api/v1/analytics/conversations")
    ck = _tenant(service, admin, "client-analytics")
    ck.messages.create(session_id="main", direction="out", from_=B, to=A, text="x", status="sent")
    delivery = ck.analytics.delivery()
    assert delivery.totals.outbound == 1 and delivery.timezone == "UTC"
    conversations = ck.analytics.conversations(session_id="main")
    assert conversations.totals.outbound == 1 and isinstance(conversations.daily, list)

