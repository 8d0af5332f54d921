"""The dashboard through Flask's test client, on every tier: sign-in and its cookie,
CSRF, tenant isolation, each page's content and the operator's view."""
import re

import pytest

from app import create_app
from tests.conftest import ADMIN_TOKEN, assert_problem, create_tenant
from tests.dashboard_helpers import HTML, SECRET_KEY, csrf_token, post_form, sign_in
from tests.every_tier.test_api_messages import BOT, CUSTOMER, message, post
from tests.every_tier.test_api_orders import act, create, item, order

OTHER = "14155550123"


@pytest.fixture
def app(database_uri, tmp_path):
    return create_app({"MONGODB_URI": database_uri, "DATA_DIR": str(tmp_path), "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN,
                       "TESTING": True, "AUTH_FAILURE_LIMIT": 100000, "SECRET_KEY": SECRET_KEY})


@pytest.fixture
def signed_in(client, tenant):
    assert sign_in(client, tenant.api_key).status_code == 303
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def set_cookie(response) -> str:
    cookies = [value for name, value in response.headers.items() if name == "Set-Cookie"]
    dashboard = [value for value in cookies if value.startswith("chatkeep_dashboard=")]
    assert len(dashboard) == 1, cookies
    return dashboard[0]


def test_without_secret_key_the_development_key_signs_the_cookie(database_uri, tmp_path):
    """SECRET_KEY unset: the development key generated into DATA_DIR signs the cookie and
    the CSRF tokens, so `make run` has a working dashboard out of the box."""
    development = create_app({"MONGODB_URI": database_uri, "DATA_DIR": str(tmp_path), "SECRET_KEY": None,
                              "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN})
    browser = development.test_client()
    tenant = create_tenant(browser, {"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert sign_in(browser, tenant.api_key).status_code == 303
    assert browser.get("/dashboard", headers=HTML).status_code == 200
    assert (tmp_path / "secret.key").exists()


def test_sign_in_cookie_is_signed_httponly_samesite_and_secure_over_https(app, client, tenant):
    signed = sign_in(client, tenant.api_key)
    assert signed.status_code == 303 and signed.headers["Location"].endswith("/dashboard")
    cookie = set_cookie(signed)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/dashboard" in cookie
    assert "Secure" not in cookie
    assert tenant.api_key not in cookie and tenant.api_key[8:20] not in cookie  # a fingerprint, not the key
    assert client.get("/dashboard").status_code == 200
    # A cookie whose signature does not match is nobody's.
    forged = app.test_client()
    value = cookie.split(";")[0].split("=", 1)[1]
    forged.set_cookie("chatkeep_dashboard", value[:-2] + ("AA" if not value.endswith("AA") else "BB"),
                      path="/dashboard")
    assert forged.get("/dashboard").status_code == 303
    over_https = app.test_client()
    token = csrf_token(over_https.get("/dashboard/sign-in", base_url="https://localhost"))
    secure = over_https.post("/dashboard/sign-in", data={"key": tenant.api_key, "csrf_token": token},
                             base_url="https://localhost", headers={"Referer": "https://localhost/dashboard/sign-in"})
    assert secure.status_code == 303 and "Secure" in set_cookie(secure)


def test_pages_need_a_sign_in_and_sign_out_ends_it(client, tenant):
    for path in ("/dashboard", "/dashboard/conversations", "/dashboard/orders", "/dashboard/sales",
                 "/dashboard/delivery"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"].endswith("/dashboard/sign-in"), path
    sign_in(client, tenant.api_key)
    assert client.get("/dashboard/sales").status_code == 200
    out = post_form(client, "/dashboard", "/dashboard/sign-out")
    assert out.status_code == 303 and out.headers["Location"].endswith("/dashboard/sign-in")
    assert client.get("/dashboard/orders").status_code == 303


def test_a_wrong_key_is_refused_and_a_rotated_key_signs_the_browser_out(client, admin, tenant):
    refused = sign_in(client, "ck_live_not-a-key")
    assert refused.status_code == 401 and "not valid" in text(refused)
    assert client.get("/dashboard").status_code == 303
    sign_in(client, tenant.api_key)
    assert client.get("/dashboard").status_code == 200
    assert client.post(f"/api/v1/admin/tenants/{tenant.slug}/rotate-key", headers=admin).status_code == 200
    assert client.get("/dashboard").status_code == 303


def test_forms_without_a_valid_csrf_token_are_refused_and_change_nothing(client, tenant):
    assert client.post("/dashboard/sign-in", data={"key": tenant.api_key}).status_code == 400
    assert client.get("/dashboard").status_code == 303  # not signed in
    sign_in(client, tenant.api_key)
    post(client, tenant, message("in", "a"))
    placed = create(client, tenant, order()).get_json()
    for action_path in (f"/dashboard/conversations/{CUSTOMER}/{BOT}/read", f"/dashboard/orders/{placed['id']}/complete",
                        "/dashboard/sign-out"):
        assert_problem(client.post(action_path, data={}), 400)
        assert_problem(client.post(action_path, data={"csrf_token": "forged"}), 400)
    assert "token" in text(client.post("/dashboard/sign-out", data={}, headers=HTML))
    summary = client.get(f"/api/v1/conversations/{CUSTOMER}/{BOT}", headers=tenant.headers).get_json()
    assert summary["unread_count"] == 1
    assert client.get(f"/api/v1/orders/{placed['id']}", headers=tenant.headers).get_json()["status"] == "pending"
    assert client.get("/dashboard").status_code == 200  # still signed in


def test_another_tenants_conversation_and_order_do_not_exist(client, admin, tenant, other_tenant, signed_in):
    post(client, other_tenant, message("in", "theirs"))
    theirs = create(client, other_tenant, order("THEIRS")).get_json()
    assert_problem(client.get(f"/dashboard/conversations/{CUSTOMER}/{BOT}"), 404)
    page = client.get(f"/dashboard/conversations/{BOT}/{CUSTOMER}", headers=HTML)
    assert page.status_code == 404 and "Not Found" in text(page)
    assert_problem(post_form(client, "/dashboard", f"/dashboard/conversations/{CUSTOMER}/{BOT}/read"), 404)
    assert_problem(client.get(f"/dashboard/orders/{theirs['id']}/complete"), 404)
    assert_problem(post_form(client, "/dashboard", f"/dashboard/orders/{theirs['id']}/complete"), 404)
    assert "THEIRS" not in text(client.get("/dashboard/orders")) and BOT not in text(client.get("/dashboard/conversations"))
    summary = client.get(f"/api/v1/conversations/{CUSTOMER}/{BOT}", headers=other_tenant.headers).get_json()
    assert summary["unread_count"] == 1
    assert client.get(f"/api/v1/orders/{theirs['id']}", headers=other_tenant.headers).get_json()["status"] == "pending"


def conversation_rows(response) -> list[str]:
    return re.findall(r'<span class="who">([^<]+)</span>', text(response))


def test_conversations_filter_unread_search_any_phone_form_and_page(client, tenant, signed_in):
    post(client, tenant, message("in", "a"))
    post(client, tenant, message("in", "b", **{"from": OTHER}))
    post(client, tenant, message("out", "c", to="5511955550000"))
    assert conversation_rows(client.get("/dashboard/conversations")) == [
        f"5511955550000 · {BOT}", f"{OTHER} · {BOT}", f"{CUSTOMER} · {BOT}"]
    assert conversation_rows(client.get("/dashboard/conversations?unread=on")) == [
        f"{OTHER} · {BOT}", f"{CUSTOMER} · {BOT}"]
    for form in ("+55 (11) 91234-5678", f"{CUSTOMER}@s.whatsapp.net", CUSTOMER):
        found = client.get("/dashboard/conversations", query_string={"phone": form})
        assert conversation_rows(found) == [f"{CUSTOMER} · {BOT}"], form
    assert_problem(client.get("/dashboard/conversations?phone=12ab"), 422, "phone")
    for i in range(26):
        post(client, tenant, message("in", f"p{i}", **{"from": f"551191234{i:04d}"}))
    first = client.get("/dashboard/conversations")
    assert len(conversation_rows(first)) == 25
    cursor = re.search(r'cursor=([^"&]+)"', text(first)).group(1)
    rest = client.get(f"/dashboard/conversations?cursor={cursor}")
    assert len(conversation_rows(rest)) == 4 and not set(conversation_rows(rest)) & set(conversation_rows(first))
    assert_problem(client.get("/dashboard/conversations?cursor=nonsense"), 422, "cursor")


def test_thread_shows_bubbles_ticks_media_local_times_and_marks_read(client, admin, tenant, signed_in):
    client.patch(f"/api/v1/admin/tenants/{tenant.slug}", json={"timezone": "America/Sao_Paulo"}, headers=admin)
    post(client, tenant, message("in", "a", text="Oi, meu pedido?"))
    sent = post(client, tenant, message("out", "b", text="Saiu para entrega!")).get_json()
    client.patch(f"/api/v1/messages/{sent['id']}", json={"status": "read"}, headers=tenant.headers)
    post(client, tenant, message("in", "c", type="image", text=None,
                                 media={"url": "https://gw.example/x.jpg", "mime_type": "image/jpeg", "caption": "foto"}))
    page = text(client.get(f"/dashboard/conversations/+55 11 91234-5678/{BOT}@c.us"))
    bubbles = re.findall(r'<li class="bubble (in|out)">', page)
    assert bubbles == ["in", "out", "in"]  # oldest first, as a chat reads
    assert page.index("Oi, meu pedido?") < page.index("Saiu para entrega!") < page.index("foto")
    assert 'class="ticks status-read"' in page and "[image · image/jpeg]" in page
    assert "-03</time>" in page  # São Paulo's time, not UTC
    assert "2 unread" in page
    read = post_form(client, f"/dashboard/conversations/{CUSTOMER}/{BOT}",
                     f"/dashboard/conversations/{CUSTOMER}/{BOT}/read")
    assert read.status_code == 303
    after = text(client.get(read.headers["Location"]))
    assert "All read" in after and "Marked as read." in after
    summary = client.get(f"/api/v1/conversations/{CUSTOMER}/{BOT}", headers=tenant.headers).get_json()
    assert summary["unread_count"] == 0


def test_orders_filter_and_complete_or_cancel_after_confirmation(client, tenant, signed_in):
    first = create(client, tenant, order("SO-1", item(unit_price="49.90", quantity=2))).get_json()
    second = create(client, tenant, order("SO-2")).get_json()
    confirm = client.get(f"/dashboard/orders/{first['id']}/complete")
    assert confirm.status_code == 200 and "99.80" in text(confirm) and "Yes, complete it" in text(confirm)
    assert client.get(f"/api/v1/orders/{first['id']}", headers=tenant.headers).get_json()["status"] == "pending"
    done = client.post(f"/dashboard/orders/{first['id']}/complete", data={"csrf_token": csrf_token(confirm)})
    assert done.status_code == 303 and "SO-1 is completed" in text(client.get(done.headers["Location"]))
    assert client.get(f"/api/v1/orders/{first['id']}", headers=tenant.headers).get_json()["status"] == "completed"
    cancelled = post_form(client, f"/dashboard/orders/{second['id']}/cancel", f"/dashboard/orders/{second['id']}/cancel")
    assert cancelled.status_code == 303 and "SO-2 is cancelled" in text(client.get(cancelled.headers["Location"]))
    pending = text(client.get("/dashboard/orders?status=pending"))
    assert 'data-order="SO-1"' not in pending and 'data-order="SO-2"' not in pending
    assert 'data-order="SO-1"' in text(client.get("/dashboard/orders?status=completed"))
    assert_problem(post_form(client, "/dashboard/orders", f"/dashboard/orders/{first['id']}/cancel"), 409)
    assert_problem(client.get("/dashboard/orders?status=lost"), 422, "status")
    assert_problem(client.get(f"/dashboard/orders/{first['id']}/refund"), 404)
    totals = client.get("/api/v1/stats", headers=tenant.headers).get_json()["totals"]
    assert (totals["completed"], totals["cancelled"], totals["revenue"]) == (1, 1, "99.80")


def test_sales_chart_draws_days_with_orders_as_non_zero_bars(client, tenant, signed_in):
    placed = create(client, tenant, order("SO-1", item("mug", unit_price="12.50"))).get_json()
    act(client, tenant, placed["id"], "complete")
    for days in (30, 90):
        page = text(client.get(f"/dashboard/sales?days={days}"))
        bars = re.findall(r'<rect class="bar" [^>]*height="([0-9.]+)" data-date="([0-9-]+)" data-value="(\d+)"', page)
        assert len(bars) == 2 * days
        assert [value for _, _, value in bars if value != "0"] == ["1", "1250"]
        assert all(float(height) > 0 for height, _, value in bars if value != "0")
        assert all(float(height) == 0 for height, _, value in bars if value == "0")
    assert "<td>mug</td><td>1</td><td>1</td><td class=\"num\">12.50</td>" in page
    assert_problem(client.get("/dashboard/sales?days=45"), 422, "days")


def test_overview_shows_sessions_todays_counts_and_spool(client, tenant, signed_in):
    client.put("/api/v1/sessions/store-main", json={"status": "open", "phone_number": BOT}, headers=tenant.headers)
    post(client, tenant, message("in", "a"))
    post(client, tenant, message("out", "b"))
    create(client, tenant, order())
    page = text(client.get("/dashboard"))
    assert "store-main" in page and 'class="badge status-open"' in page
    assert '<dd id="messages-today">2</dd>' in page and '<dd id="orders-today">1</dd>' in page
    assert 'id="unread-conversations">1</a>' in page and "Webhooks waiting on disk" in page


def test_operator_view_shows_every_tenant_with_counts_and_no_tenant_pages(client, admin, tenant, other_tenant):
    post(client, tenant, message("in", "a"))
    post(client, tenant, message("out", "b"))
    create(client, other_tenant, order())
    client.post("/api/v1/admin/snapshots", headers=admin)
    assert sign_in(client, ADMIN_TOKEN).status_code == 303
    page = text(client.get("/dashboard"))
    for handle, messages, orders in ((tenant, 2, 0), (other_tenant, 0, 1)):
        row = re.search(rf'<tr data-slug="{handle.slug}">(.*?)</tr>', page, re.DOTALL).group(1)
        assert f'<td class="messages">{messages}</td>' in row and f'<td class="orders">{orders}</td>' in row
    assert re.search(r'<table id="snapshots">.*manual', page, re.DOTALL)
    assert '<dd id="spool-depth">0</dd>' in page
    assert client.get("/dashboard/conversations").status_code == 303  # tenant pages are a tenant's
    assert tenant.api_key not in page


def test_a_tenant_does_not_see_the_operator_view(client, tenant, other_tenant, signed_in):
    page = text(client.get("/dashboard"))
    assert 'id="tenants"' not in page and other_tenant.slug not in page


def test_sign_in_failures_are_throttled_like_other_authentication_failures(app, client, tenant):
    from services.tenancy.throttle import throttle
    throttle.limit = 3
    try:
        assert client.get("/api/v1/sessions", headers={"X-API-Key": "guess"}).status_code == 401
        for _ in range(2):
            assert sign_in(client, "ck_live_guess").status_code == 401
        limited = sign_in(client, tenant.api_key)  # a key this worker has not verified yet waits too
        assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 61
        assert client.get("/dashboard").status_code == 303
        assert client.get("/api/v1/sessions", headers={"X-API-Key": "guess"}).status_code == 429
        other_address = app.test_client()
        other_address.environ_base["REMOTE_ADDR"] = "10.9.8.7"
        assert sign_in(other_address, tenant.api_key).status_code == 303  # only that address waits
    finally:
        throttle.reset()
        throttle.limit = 100000


def test_dashboard_pages_carry_security_headers_and_stay_out_of_the_openapi_document(client, tenant, signed_in):
    response = client.get("/dashboard")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["Cache-Control"] == "no-store"
    assert client.get("/dashboard/static/dashboard.css").status_code == 200
    assert not [path for path in client.get("/openapi.json").get_json()["paths"] if "dashboard" in path]
    assert_problem(client.post("/api/v1/messages", data={"a": "b"}, headers=tenant.headers), 415)


def test_webhooks_page_shows_the_endpoints_and_their_latest_deliveries(app, client, tenant, other_tenant, signed_in):
    from models.collections import scoped
    from models.tenancy import tenant_scope
    from models.webhook_endpoint import WebhookAttempt
    from services.tenancy import tenants

    ours = client.post("/api/v1/webhook-endpoints", json={"url": "https://93.184.216.34/ours",
                                                           "types": ["order.completed"]},
                       headers=tenant.headers).get_json()
    client.post("/api/v1/webhook-endpoints", json={"url": "https://93.184.216.34/theirs"},
                headers=other_tenant.headers)
    with app.app_context(), tenant_scope(tenants.get_tenant(tenant.slug).id):
        scoped(WebhookAttempt).insert_one({"_id": "a1", "endpoint_id": ours["id"], "event_id": "e1",
                                           "event_type": "order.completed", "attempt": 2, "status_code": 503,
                                           "error": "answered 503", "duration_ms": 12, "at": 1_796_000_000_000,
                                           "delivered_at": None, "next_attempt_at": 1_796_000_060_000})
    page = client.get("/dashboard/webhooks", headers=HTML)
    assert page.status_code == 200
    html = text(page)
    assert "https://93.184.216.34/ours" in html and "order.completed" in html and "answered 503" in html
    assert "theirs" not in html


def test_delivery_page_draws_rates_and_time_to_read_per_day_and_failures_by_session(client, tenant, signed_in,
                                                                                     frozen_clock):
    from tests.every_tier.test_api_analytics import send, status
    client.patch(f"/api/v1/admin/tenants/{tenant.slug}", json={"timezone": "America/Sao_Paulo"},
                 headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    read = send(client, tenant, frozen_clock, "2026-11-22T02:30:00Z", "out", CUSTOMER, "store-main")  # 21st, local
    status(client, tenant, read, "sent", "2026-11-22T02:30:00Z")
    status(client, tenant, read, "read", "2026-11-22T02:32:00Z")  # 120 s
    failed = send(client, tenant, frozen_clock, "2026-11-22T12:00:00Z", "out", OTHER, "store-2")
    status(client, tenant, failed, "failed", "2026-11-22T12:00:01Z")
    send(client, tenant, frozen_clock, "2026-11-22T12:00:00Z", "out", OTHER, "store-2")
    for days in (7, 30, 90):
        page = text(client.get(f"/dashboard/delivery?days={days}"))
        bars = re.findall(r'<rect class="bar" [^>]*data-date="([0-9-]+)" data-value="(\d+)"><title>([^<]*)</title>',
                          page)
        assert len(bars) == 3 * days
        drawn = [(date, int(value)) for date, value, _ in bars if value != "0"]  # delivered, read, time to read
        assert [date for date, _ in drawn] == ["2026-11-21"] * 3 and [v for _, v in drawn][:2] == [100, 100]
        assert abs(drawn[2][1] - 120) <= 6  # seconds, within 5 %
        assert ("2026-11-22", "0", "2026-11-22: 0 %") in bars
        assert ("2026-11-20", "0", "2026-11-20: nothing sent") in bars
    assert "Days in America/Sao_Paulo" in page and 'aria-current="page">Delivery<' in page
    sessions = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>"
                          r"<td class=\"num\">([^<]+)</td>", page.split('id="sessions"')[1].split("</table>")[0])
    assert sessions == [("store-2", "2", "1", "50.0 %"), ("store-main", "1", "0", "0.0 %")]
    assert_problem(client.get("/dashboard/delivery?days=45"), 422, "days")
