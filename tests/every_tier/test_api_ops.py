"""Operations endpoints and error shapes, run on every tier."""
from tests.conftest import assert_problem


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200


def test_flask_errors_are_problems(client):
    assert_problem(client.get("/no/such/page"), 404)
    response = client.delete("/healthz")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_openapi_document_describes_the_api(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["info"]["title"] == "ChatKeep"
    assert {"/api/v1/sessions", "/api/v1/sessions/{session_id}", "/api/v1/admin/tenants"} <= set(spec["paths"])
    schemes = spec["components"]["securitySchemes"]
    assert {"ApiKeyBearer", "ApiKeyHeader", "AdminToken"} <= set(schemes)
    assert spec["paths"]["/healthz"]["get"]["security"] == []


def test_docs_page_is_served_with_local_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200 and b"/docs/assets/swagger-ui-bundle.js" in page.data
    asset = client.get("/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000


def test_metrics_count_requests_by_route_and_status(client, tenant):
    client.get("/api/v1/sessions/none", headers=tenant.headers)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'chatkeep_http_requests_total{method="GET",route="/api/v1/sessions/<session_id>",status="404"}' in text
    assert "chatkeep_http_request_duration_seconds_bucket" in text
