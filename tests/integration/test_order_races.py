"""Races between real gunicorn workers on orders: every event is counted exactly once."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import ADMIN_TOKEN
from tests.integration.processes import Service, create_tenant

pytestmark = pytest.mark.slow
RACERS = 12
ORDERS = 20


@pytest.fixture(scope="module")
def service(tmp_path_factory, nx_server):
    uri = nx_server.replace("/chatkeep?", "/it_order_races?")
    with Service(tmp_path_factory.mktemp("races"), {"MONGODB_URI": uri, "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN},
                 workers=2) as running:
        yield running


@pytest.fixture
def headers(service, request):
    return create_tenant(service.url, f"race-{request.node.name[-20:].replace('_', '-')}")["headers"]


def _at_once(calls):
    """Run the calls in threads released together, so the requests really overlap."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _order(service, headers, external_id):
    body = {"external_order_id": external_id, "recipient_phone": "5511912345678",
            "items": [{"product_type": "t-shirt", "quantity": 2, "unit_price": "24.95"}]}
    return requests.post(f"{service.url}/api/v1/orders", json=body, headers=headers, timeout=30)


def test_concurrent_completes_of_one_order_count_once(service, headers):
    # Many orders, each completed by racers released together: a worker's first requests
    # are slow (it connects and creates indexes), so one race alone may not overlap.
    ids = [_order(service, headers, f"SO-RACE-{n}").json()["id"] for n in range(ORDERS)]
    for order_id in ids:
        url = f"{service.url}/api/v1/orders/{order_id}/complete"
        responses = _at_once([lambda: requests.post(url, json={}, headers=headers, timeout=30)] * 3)
        assert {r.status_code for r in responses} == {200}
        assert len({(r.json()["status"], r.json()["revenue"], r.json()["completed_at"]) for r in responses}) == 1
    totals = requests.get(f"{service.url}/api/v1/stats", headers=headers, timeout=10).json()["totals"]
    assert (totals["orders"], totals["completed"], totals["revenue"]) == (ORDERS, ORDERS, "998.00")  # 20 x 49.90
    assert totals["by_product_type"]["t-shirt"]["completed"] == ORDERS


def test_concurrent_duplicates_and_opposite_transitions(service, headers):
    created = _at_once([lambda: _order(service, headers, "SO-DUP")] * RACERS)
    assert sorted(r.status_code for r in created) == [200] * (RACERS - 1) + [201]
    assert len({r.json()["id"] for r in created}) == 1
    url = f"{service.url}/api/v1/orders/{created[0].json()['id']}"
    moves = [lambda action=action: requests.post(f"{url}/{action}", headers=headers, timeout=30)
             for action in ("complete", "cancel") * (RACERS // 2)]
    responses = _at_once(moves)
    final = requests.get(url, headers=headers, timeout=10).json()["status"]
    winner = "complete" if final == "completed" else "cancel"
    for action, response in zip(("complete", "cancel") * (RACERS // 2), responses):
        assert response.status_code == (200 if action == winner else 409), (action, response.text)
    totals = requests.get(f"{service.url}/api/v1/stats", headers=headers, timeout=10).json()["totals"]
    assert totals["orders"] == 1 and totals["completed"] + totals["cancelled"] == 1
    assert totals["revenue"] == ("49.90" if final == "completed" else "0.00")
