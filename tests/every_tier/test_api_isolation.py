"""Tenant isolation, probed on every endpoint the OpenAPI document lists.

For each tenant endpoint with ids in its path, another tenant's ids must get exactly
the answer an id that does not exist gets. A new endpoint whose path parameters this
test does not know fails it, so no endpoint can be forgotten.
"""
import re

from tests.every_tier.test_api_messages import BOT, CUSTOMER, message, post

BODIES = {("patch", "/api/v1/messages/{message_id}"): {"status": "read"},
          ("put", "/api/v1/sessions/{session_id}"): {"status": "close"},
          ("put", "/api/v1/chat-sessions/{phone}"): {"state": {"step": 1}},
          ("post", "/api/v1/orders/{order_id}/complete"): {"revenue": "1.00"},
          ("put", "/api/v1/sessions/{session_id}/gateway"): {"kind": "cloud", "api_key": "k", "instance": "1"}}
NOT_UPSERTS = {"/api/v1/sessions/{session_id}/gateway"}  # PUTs on a sub-resource of something that must exist
UNSCOPED_PREFIXES = ("/api/v1/admin",)


def _owner_data(client, owner):
    client.put("/api/v1/sessions/owner-session", json={"status": "open"}, headers=owner.headers)
    stored = post(client, owner, message("in", "owner-ext")).get_json()
    client.put(f"/api/v1/chat-sessions/{CUSTOMER}", json={"state": {"owner-state": 1}}, headers=owner.headers)
    placed = client.post("/api/v1/orders", headers=owner.headers, json={
        "external_order_id": "owner-order", "recipient_phone": CUSTOMER,
        "items": [{"product_type": "owner-type", "quantity": 1, "unit_price": "9.90"}]}).get_json()
    endpoint = client.post("/api/v1/webhook-endpoints", json={"url": "https://93.184.216.34/owner-hook"},
                           headers=owner.headers).get_json()
    erasure = client.delete("/api/v1/contacts/14155550100", headers=owner.headers).get_json()
    return {"session_id": "owner-session", "message_id": stored["id"], "external_id": "owner-ext",
            "a": CUSTOMER, "b": BOT, "phone": CUSTOMER, "order_id": placed["id"], "endpoint_id": endpoint["id"],
            "erasure_id": erasure["id"]}


MISSING = {"session_id": "no-such-session", "message_id": "0123456789abcdef01234567",
           "external_id": "no-such-ext", "a": "14155550199", "b": "14155550198", "phone": "14155550197",
           "order_id": "0123456789abcdef01234568", "endpoint_id": "we_fedcba9876543210fedcba98",
           "erasure_id": "er_fedcba9876543210fedcba98"}


def _call(client, method, path, values, tenant):
    url = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
    body = BODIES.get((method, path))
    return getattr(client, method)(url, json=body, headers=tenant.headers) if body is not None \
        else getattr(client, method)(url, headers=tenant.headers)


def test_every_endpoint_hides_other_tenants_data(client, tenant, other_tenant):
    owner_values = _owner_data(client, tenant)
    spec = client.get("/openapi.json").get_json()
    probed, upserts = 0, []
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/") or path.startswith(UNSCOPED_PREFIXES):
            continue
        params = re.findall(r"\{(\w+)\}", path)
        unknown = set(params) - set(owner_values)
        assert not unknown, f"{path}: teach this test the parameters {unknown}"
        for method in operations:
            if method not in ("get", "put", "patch", "post", "delete"):
                continue
            if not params:
                listed = _call(client, method, path, {}, other_tenant) if method == "get" else None
                if listed is not None:
                    assert "owner-" not in listed.get_data(as_text=True), path
                continue
            if method == "put" and path not in NOT_UPSERTS:  # an upsert: probed last, it gives the other tenant its own
                upserts.append(path)
                continue
            foreign = _call(client, method, path, owner_values, other_tenant)
            missing = _call(client, method, path, MISSING, other_tenant)
            assert foreign.status_code == missing.status_code, (method, path, foreign.status_code)
            assert foreign.status_code in (200, 404)
            if foreign.status_code == 200:  # an empty list, never the owner's items
                assert owner_values["message_id"] not in foreign.get_data(as_text=True)
            assert _without_ids(foreign.get_json(), owner_values) == _without_ids(missing.get_json(), MISSING)
            probed += 1
    assert probed >= 8
    for path in upserts:
        assert _call(client, "put", path, owner_values, other_tenant).status_code == 201
    # The owner's data is untouched by all of that.
    assert client.get(f"/api/v1/messages/{owner_values['message_id']}",
                      headers=tenant.headers).get_json()["status"] == "delivered"
    assert client.get("/api/v1/sessions/owner-session", headers=tenant.headers).status_code == 200
    assert client.get(f"/api/v1/chat-sessions/{CUSTOMER}", headers=tenant.headers).get_json()["state"] == \
        {"owner-state": 1}
    assert client.get(f"/api/v1/orders/{owner_values['order_id']}",
                      headers=tenant.headers).get_json()["status"] == "pending"


def _without_ids(body, values):
    if isinstance(body, dict):  # every request has an id of its own
        body = {key: value for key, value in body.items() if key != "request_id"}
    text = str(body)
    for value in values.values():
        text = text.replace(value, "<id>")
    # Answers made now (an export, an erasure of the caller's own contact) differ in time and new ids.
    text = re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+Z", "<time>", re.sub(r"er_[0-9a-f]{24}", "<erasure>", text))
    return re.sub(r"<id>:<id>|'\d+:\d+'", "<pair>", text)
