"""Behind a reverse proxy each client has its own throttle; operator tokens (admin,
metrics) are accepted only where and as the contract says; failed Cloud API verify
handshakes are throttled like other failures."""
import pytest

from app import create_app
from config import ConfigError, load_settings
from services.tenancy.throttle import throttle
from tests.conftest import ADMIN_TOKEN, assert_problem, create_tenant
from tests.webhook_helpers import VERIFY_TOKEN, configure_cloud

PROXY = {"REMOTE_ADDR": "10.0.0.1"}
METRICS_TOKEN = "metrics-token-for-tests"
LIMIT = 5


@pytest.fixture
def make_client(database_uri, tmp_path):
    """A test client of an app with `settings`, its throttle at LIMIT failures."""
    def make(**settings):
        app = create_app({"MONGODB_URI": database_uri, "DATA_DIR": str(tmp_path), "TESTING": True,
                          "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "AUTH_FAILURE_LIMIT": LIMIT, **settings})
        return app.test_client()

    yield make
    throttle.reset()


def _from(client_address: str, headers: dict | None = None) -> dict:
    """Request options of a client behind the proxy: the proxy appends its address."""
    return {"environ_base": PROXY, "headers": {"X-Forwarded-For": client_address, **(headers or {})}}


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_behind_a_proxy_one_clients_failures_never_refuse_another_clients_admin_token(make_client):
    client = make_client(TRUSTED_PROXY_COUNT=1)
    for _ in range(LIMIT):
        assert_problem(client.get("/api/v1/admin/tenants", **_from("203.0.113.5", _bearer("x" * 20))), 401)
    assert_problem(client.get("/api/v1/admin/tenants", **_from("203.0.113.5", _bearer("x" * 20))), 429)
    # The operator, behind the same proxy, is not locked out.
    assert client.get("/api/v1/admin/tenants", **_from("198.51.100.7", _bearer(ADMIN_TOKEN))).status_code == 200
    # The guessing address is: a right guess gets 429 like a wrong one, so it learns nothing...
    limited = client.get("/api/v1/admin/tenants", **_from("203.0.113.5", _bearer(ADMIN_TOKEN)))
    assert_problem(limited, 429)
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    # ...and cannot escape by naming another address itself: the proxy appends the real one.
    assert_problem(client.get("/api/v1/admin/tenants",
                              **_from("192.0.2.99, 203.0.113.5", _bearer(ADMIN_TOKEN))), 429)


def test_without_trusted_proxies_forwarded_headers_are_ignored(make_client):
    client = make_client()
    for n in range(LIMIT):
        assert_problem(client.get("/api/v1/admin/tenants", **_from(f"203.0.113.{n}", _bearer("x" * 20))), 401)
    assert_problem(client.get("/api/v1/admin/tenants", **_from("198.51.100.7", _bearer(ADMIN_TOKEN))), 429)
    assert client.get("/api/v1/admin/tenants", headers=_bearer(ADMIN_TOKEN),
                      environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


def test_the_admin_token_is_accepted_only_as_a_bearer_token_of_admin_endpoints(make_client):
    client = make_client()
    assert client.get("/api/v1/admin/tenants", headers=_bearer(ADMIN_TOKEN)).status_code == 200
    assert_problem(client.get("/api/v1/admin/tenants", headers={"X-API-Key": ADMIN_TOKEN}), 401)
    assert_problem(client.get("/api/v1/sessions", headers=_bearer(ADMIN_TOKEN)), 401)
    assert_problem(client.get("/api/v1/sessions", headers={"X-API-Key": ADMIN_TOKEN}), 401)


def test_failed_verify_handshakes_are_counted_and_throttled(make_client):
    client = make_client(TRUSTED_PROXY_COUNT=1)
    admin = _bearer(ADMIN_TOKEN)
    tenant = create_tenant(client, admin)
    configure_cloud(client, admin, tenant)
    url = f"/webhooks/whatsapp/{tenant.slug}?hub.mode=subscribe&hub.challenge=42&hub.verify_token="
    for _ in range(LIMIT):
        assert_problem(client.get(url + "guess-guess-guess", **_from("203.0.113.5")), 403)
    assert_problem(client.get(url + "guess-guess-guess", **_from("203.0.113.5")), 429)
    assert_problem(client.get("/webhooks/whatsapp/nobody?hub.mode=subscribe&hub.challenge=1&hub.verify_token=x",
                              **_from("203.0.113.5")), 429)
    # The same failures count against the address's other credentials...
    assert_problem(client.get("/api/v1/sessions", **_from("203.0.113.5", {"X-API-Key": "guess"})), 429)
    # ...never against another address; Meta's right handshake passes (nothing to guess there).
    assert_problem(client.get(url + "guess-guess-guess", **_from("198.51.100.7")), 403)
    ok = client.get(url + VERIFY_TOKEN, **_from("203.0.113.5"))
    assert ok.status_code == 200 and ok.get_data(as_text=True) == "42"


def test_a_cloud_verify_token_needs_16_characters(make_client):
    client = make_client()
    admin = _bearer(ADMIN_TOKEN)
    tenant = create_tenant(client, admin)
    settings = f"/api/v1/admin/tenants/{tenant.slug}"
    assert_problem(client.patch(settings, headers=admin, json={"cloud_verify_token": "x" * 15}),
                   422, "cloud_verify_token")
    listed = client.get("/api/v1/admin/tenants", headers=admin).get_json()["items"]
    assert [t["cloud_verify_token_set"] for t in listed if t["slug"] == tenant.slug] == [False]
    assert client.patch(settings, headers=admin, json={"cloud_verify_token": "x" * 16}).status_code == 200


def test_metrics_need_the_metrics_token_when_it_is_set(make_client):
    client = make_client(METRICS_TOKEN=METRICS_TOKEN)
    for headers in ({}, _bearer("wrong-wrong-wrong-wrong"), {"X-API-Key": METRICS_TOKEN}, _bearer(ADMIN_TOKEN)):
        refused = client.get("/metrics", headers=headers)
        assert_problem(refused, 401)
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    ok = client.get("/metrics", headers=_bearer(METRICS_TOKEN))
    assert ok.status_code == 200 and "chatkeep_http_requests" in ok.get_data(as_text=True)
    assert_problem(client.get("/metrics"), 401)  # the fifth failure of this address
    assert_problem(client.get("/metrics", headers=_bearer(METRICS_TOKEN)), 429)


def test_metrics_stay_open_without_a_metrics_token(make_client):
    assert make_client().get("/metrics").status_code == 200


@pytest.mark.parametrize("name,value", [("TRUSTED_PROXY_COUNT", "-1"), ("TRUSTED_PROXY_COUNT", "many"),
                                        ("METRICS_TOKEN", "short")])
def test_invalid_new_settings_stop_start_up(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value})
