"""Repeated authentication failures from one address are throttled; tenants are not."""
from tests.conftest import assert_problem


def test_failures_from_one_address_get_429_but_known_tenants_pass(app, client, tenant):
    app.config["AUTH_FAILURE_LIMIT"] = 5
    from services.throttle import throttle
    throttle.limit = 5
    assert client.get("/api/v1/sessions", headers=tenant.headers).status_code == 200  # now known
    for _ in range(5):
        assert_problem(client.get("/api/v1/sessions", headers={"X-API-Key": "guess"}), 401)
    limited = client.get("/api/v1/sessions", headers={"X-API-Key": "guess"})
    assert_problem(limited, 429)
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    assert_problem(client.post(f"/webhooks/evolution/{tenant.slug}?token=guess", json={}), 429)
    assert client.get("/api/v1/sessions", headers=tenant.headers).status_code == 200
    other = client.get("/api/v1/sessions", headers={"X-API-Key": "guess"},
                       environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert_problem(other, 401)
