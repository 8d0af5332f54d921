"""Every request carries an id: the caller's X-Request-Id or one made for it, returned
on the response, in the problem body and in every log line of the request."""
import logging

import pytest
from pymongo.errors import AutoReconnect

import app as app_module
from services import request_ids
from services.tenancy import tenants
from tests.conftest import assert_problem


def test_the_callers_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-Id": "proxy-7f3a:12/ab=="})
    assert response.headers["X-Request-Id"] == "proxy-7f3a:12/ab=="


@pytest.mark.parametrize("sent", [None, "", "two words", "x" * 129, "caf\u00e9", "tab\there", "<b>"])
def test_a_missing_or_unfit_request_id_is_replaced_by_a_new_one(client, sent):
    headers = {} if sent is None else {"X-Request-Id": sent}
    first = client.get("/healthz", headers=headers).headers["X-Request-Id"]
    second = client.get("/healthz", headers=headers).headers["X-Request-Id"]
    assert first != second and first != sent
    assert all(request_ids.ACCEPTED.fullmatch(made) for made in (first, second))


def test_a_problem_body_names_its_request_id(client):
    body = assert_problem(client.get("/no/such/path", headers={"X-Request-Id": "req-404"}), 404)
    assert body["request_id"] == "req-404"
    made = client.get("/no/such/path")
    assert made.get_json()["request_id"] == made.headers["X-Request-Id"]
    schema = client.get("/openapi.json").get_json()["components"]["schemas"]["Problem"]
    assert "request_id" in schema["properties"]


def test_log_lines_of_a_request_carry_its_id(app, client, admin, caplog, monkeypatch):
    def outage(*_args):
        raise AutoReconnect("the database went away")
    monkeypatch.setattr(tenants, "list_tenants", outage)
    app_module.configure_logging("INFO")  # as every process does; caplog's handler is among the root's now
    with caplog.at_level(logging.INFO):
        response = client.get("/api/v1/admin/tenants", headers={**admin, "X-Request-Id": "req-logged-1"})
        logging.getLogger("chatkeep.test").info("outside any request")
    assert_problem(response, 503)
    assert response.get_json()["request_id"] == response.headers["X-Request-Id"] == "req-logged-1"
    logged = [r for r in caplog.records if r.getMessage().startswith("database unavailable")]
    assert [r.request_id for r in logged] == ["req-logged-1"]
    assert "[req-logged-1] blueprints.problems: database unavailable" in logging.Formatter(
        app_module.LOG_FORMAT).format(logged[0])
    outside = [r for r in caplog.records if r.getMessage() == "outside any request"]
    assert outside[0].request_id == request_ids.NONE
