"""Gateway sessions through the HTTP API, run on every tier."""
from tests.conftest import assert_problem


def test_put_creates_then_updates_a_session(client, tenant):
    url = "/api/v1/sessions/store-main"
    created = client.put(url, json={"status": "creating", "phone_number": "+55 (11) 98765-4321"},
                         headers=tenant.headers)
    assert created.status_code == 201
    first = created.get_json()
    assert first["phone_number"] == "5511987654321" and first["status"] == "creating"
    assert first["created_at"].endswith("Z") and len(first["created_at"]) == 24
    updated = client.put(url, json={"status": "open"}, headers=tenant.headers)
    assert updated.status_code == 200
    second = updated.get_json()
    assert second["status"] == "open" and second["phone_number"] == "5511987654321"
    assert second["created_at"] == first["created_at"]
    assert second["status_changed_at"] >= first["status_changed_at"]
    same = client.put(url, json={"status": "open"}, headers=tenant.headers).get_json()
    assert same["status_changed_at"] == second["status_changed_at"]
    assert client.get(url, headers=tenant.headers).get_json() == same


def test_list_filters_by_status_and_pages_without_repeats(client, tenant):
    for i in range(7):
        client.put(f"/api/v1/sessions/s{i}", json={"status": "open" if i % 2 else "close"},
                   headers=tenant.headers)
    seen, cursor = [], None
    while True:
        query = "?limit=2&status=close" + (f"&cursor={cursor}" if cursor else "")
        page = client.get("/api/v1/sessions" + query, headers=tenant.headers).get_json()
        seen += [item["session_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["s0", "s2", "s4", "s6"]
    total = client.get("/api/v1/sessions?include_total=true", headers=tenant.headers).get_json()
    assert total["total"] == 7 and len(total["items"]) == 7


def test_delete_session(client, tenant):
    client.put("/api/v1/sessions/gone", json={"status": "open"}, headers=tenant.headers)
    assert client.delete("/api/v1/sessions/gone", headers=tenant.headers).status_code == 204
    assert_problem(client.get("/api/v1/sessions/gone", headers=tenant.headers), 404)
    assert_problem(client.delete("/api/v1/sessions/gone", headers=tenant.headers), 404)


def test_bad_input_is_422_naming_the_field_and_writes_nothing(client, tenant):
    url = "/api/v1/sessions/s1"
    cases = [({"status": "dancing"}, "status"), ({}, "status"), ({"status": {"$gt": ""}}, "status"),
             ({"status": "open", "phone_number": "12"}, "phone_number"),
             ({"status": "open", "phone_number": {"$ne": None}}, "phone_number"),
             ({"status": "open", "extra": 1}, "extra"), ({"status": 5}, "status")]
    for body, field in cases:
        assert_problem(client.put(url, json=body, headers=tenant.headers), 422, field)
    assert_problem(client.put("/api/v1/sessions/bad%20id", json={"status": "open"},
                              headers=tenant.headers), 422, "session_id")
    assert_problem(client.get("/api/v1/sessions?limit=0", headers=tenant.headers), 422, "limit")
    assert_problem(client.get("/api/v1/sessions?cursor=%%%", headers=tenant.headers), 422, "cursor")
    assert client.get("/api/v1/sessions?include_total=true", headers=tenant.headers).get_json()["total"] == 0


def test_malformed_and_non_json_bodies(client, tenant):
    url = "/api/v1/sessions/s1"
    broken = client.put(url, data="{not json", content_type="application/json", headers=tenant.headers)
    assert_problem(broken, 400)
    assert_problem(client.put(url, data="status=open", content_type="application/x-www-form-urlencoded",
                              headers=tenant.headers), 415)
    assert_problem(client.put(url, data=b"\xff\xfe", content_type="application/json",
                              headers=tenant.headers), 400)
    assert_problem(client.put(url, json=["status", "open"], headers=tenant.headers), 422)
    assert client.get("/api/v1/sessions?include_total=true", headers=tenant.headers).get_json()["total"] == 0


def test_oversized_body_is_413(client, tenant, app):
    big = {"status": "open", "pad": "x" * (app.config["MAX_BODY_BYTES"] + 10)}
    assert_problem(client.put("/api/v1/sessions/s1", json=big, headers=tenant.headers), 413)


def test_another_tenants_session_does_not_exist_for_me(client, tenant, other_tenant):
    client.put("/api/v1/sessions/shared-name", json={"status": "open"}, headers=tenant.headers)
    for method in ("get", "delete"):
        assert_problem(getattr(client, method)("/api/v1/sessions/shared-name",
                                               headers=other_tenant.headers), 404)
    listed = client.get("/api/v1/sessions", headers=other_tenant.headers).get_json()
    assert listed["items"] == []
    created = client.put("/api/v1/sessions/shared-name", json={"status": "close"},
                         headers=other_tenant.headers)
    assert created.status_code == 201
    assert client.get("/api/v1/sessions/shared-name", headers=tenant.headers).get_json()["status"] == "open"


def test_deeply_nested_json_is_400(client, tenant):
    body = "[" * 50000 + "]" * 50000
    response = client.put("/api/v1/sessions/s1", data=body, content_type="application/json", headers=tenant.headers)
    assert_problem(response, 400)
