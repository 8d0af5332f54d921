"""Admin API and authentication, run on every tier (imported by each tier's module)."""
from tests.conftest import ADMIN_TOKEN, assert_problem, create_tenant


def test_create_tenant_returns_secrets_once_and_lists_without_them(client, admin):
    handle = create_tenant(client, admin, "acme")
    assert handle.api_key.startswith("ck_live_") and len(handle.api_key) > 40
    listed = client.get("/api/v1/admin/tenants?include_total=true", headers=admin).get_json()
    assert listed["total"] == 1 and listed["next_cursor"] is None
    item = listed["items"][0]
    assert item["slug"] == "acme" and item["name"] == "Acme"
    text = str(listed)
    assert handle.api_key not in text and handle.webhook_token not in text and "hash" not in text


def test_taken_slug_is_409_and_bad_slug_422(client, admin):
    create_tenant(client, admin, "acme")
    again = client.post("/api/v1/admin/tenants", json={"slug": "acme", "name": "X"}, headers=admin)
    assert_problem(again, 409)
    for slug in ("-bad", "A", "UPPER", "x" * 64, "sp ace"):
        bad = client.post("/api/v1/admin/tenants", json={"slug": slug, "name": "X"}, headers=admin)
        assert_problem(bad, 422, "slug")
    assert client.get("/api/v1/admin/tenants?include_total=true", headers=admin).get_json()["total"] == 1


def test_admin_api_requires_the_admin_token(client, tenant):
    for headers in ({}, {"Authorization": "Bearer wrong-token-000000000"}, tenant.headers):
        assert_problem(client.get("/api/v1/admin/tenants", headers=headers), 401)


def test_admin_api_is_absent_without_admin_token(client, app):
    app.config["CHATKEEP_ADMIN_TOKEN"] = None
    response = client.post("/api/v1/admin/tenants", json={"slug": "acme", "name": "A"},
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert_problem(response, 404)


def test_patch_settings_validates_and_hides_secrets(client, admin, tenant):
    url = f"/api/v1/admin/tenants/{tenant.slug}"
    ok = client.patch(url, json={"timezone": "America/Sao_Paulo", "chat_session_ttl_hours": 48,
                                 "cloud_app_secret": "s3cret-value"}, headers=admin)
    assert ok.status_code == 200
    body = ok.get_json()
    assert body["timezone"] == "America/Sao_Paulo" and body["chat_session_ttl_hours"] == 48
    assert body["cloud_app_secret_set"] is True and "s3cret-value" not in ok.get_data(as_text=True)
    assert_problem(client.patch(url, json={"timezone": "Mars/Olympus"}, headers=admin), 422, "timezone")
    assert_problem(client.patch(url, json={"chat_session_ttl_hours": 0}, headers=admin), 422,
                   "chat_session_ttl_hours")
    assert_problem(client.patch(url, json={"slug": "new"}, headers=admin), 422, "slug")
    assert client.get(url, headers=admin).get_json()["timezone"] == "America/Sao_Paulo"
    assert_problem(client.patch("/api/v1/admin/tenants/nobody", json={"name": "x"}, headers=admin), 404)


def test_rotate_key_replaces_the_old_key(client, admin, tenant):
    assert client.get("/api/v1/sessions", headers=tenant.headers).status_code == 200
    rotated = client.post(f"/api/v1/admin/tenants/{tenant.slug}/rotate-key", headers=admin)
    new_key = rotated.get_json()["api_key"]
    assert new_key != tenant.api_key
    assert_problem(client.get("/api/v1/sessions", headers=tenant.headers), 401)
    assert client.get("/api/v1/sessions", headers={"X-API-Key": new_key}).status_code == 200


def test_tenant_endpoints_need_a_valid_key(client, tenant):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"X-API-Key": "ck_live_" + "x" * 43},
                    {"Authorization": "Basic Zm9vOmJhcg=="}, {"X-API-Key": "k" * 5000}):
        response = client.get("/api/v1/sessions", headers=headers)
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
