"""Repeated authentication failures from one address are throttled; tenants are not."""
import pytest

from tests.conftest import assert_problem
from tests.webhook_helpers import configure_cloud, send

EMPTY_BODY = {"cloud": {"object": "whatsapp_business_account", "entry": []}}


@pytest.fixture
def throttle_of_5(app):
    from services.tenancy.throttle import throttle
    app.config["AUTH_FAILURE_LIMIT"] = throttle.limit = 5
    yield throttle
    throttle.reset()


def _fail_five_times(client):
    for _ in range(5):
        assert_problem(client.get("/api/v1/sessions", headers={"X-API-Key": "guess"}), 401)


def test_failures_from_one_address_get_429_but_known_tenants_pass(client, tenant, throttle_of_5):
    assert client.get("/api/v1/sessions", headers=tenant.headers).status_code == 200  # now known
    _fail_five_times(client)
    limited = client.get("/api/v1/sessions", headers={"X-API-Key": "guess"})
    assert_problem(limited, 429)
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    assert client.get("/api/v1/sessions", headers=tenant.headers).status_code == 200
    other = client.get("/api/v1/sessions", headers={"X-API-Key": "guess"},
                       environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert_problem(other, 401)


@pytest.mark.parametrize("gateway", ["evolution", "waha", "cloud"])
def test_valid_webhooks_pass_a_throttled_address_and_failed_ones_get_429(client, admin, tenant, gateway,
                                                                        throttle_of_5):
    """A gateway shared with a misconfigured neighbour (Meta sends every app's webhooks
    from the same addresses) still delivers; only failures are held back."""
    from services.tenancy.tenant_cache import cache
    configure_cloud(client, admin, tenant)
    body = EMPTY_BODY.get(gateway, {})
    _fail_five_times(client)
    cache.clear()  # as after a tenant change, or in a worker that never saw this tenant
    assert send(client, gateway, tenant, body).status_code == 200
    if gateway == "cloud":
        wrong = client.post(f"/webhooks/whatsapp/{tenant.slug}", json={},
                            headers={"X-Hub-Signature-256": "sha256=" + "0" * 64})
        unknown_slug = client.post("/webhooks/whatsapp/nobody", json={},
                                   headers={"X-Hub-Signature-256": "sha256=" + "0" * 64})
    else:
        wrong = send(client, gateway, tenant, {}, token="guess")
        unknown_slug = client.post(f"/webhooks/{gateway}/nobody?token=guess", json={})
    assert_problem(wrong, 429)
    assert_problem(unknown_slug, 429)
    assert send(client, gateway, tenant, body).status_code == 200
