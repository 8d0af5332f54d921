"""Input no database can store. Half of a UTF-16 surrogate pair alone in a JSON string
("\\ud83d", an emoji cut in two) is not text: REST bodies get 400 and change nothing; a
gateway's message is kept with U+FFFD in its place, in the webhook and when the spool
replays it. Gateway times too large to store are taken as now."""
import copy
import json
import time

import pytest

from services import json_text
from services.clock import iso
from tests.conftest import assert_problem
from tests.webhook_helpers import configure_cloud, fixture, send, stored

CUT_EMOJI = b'"oi \\ud83d"'
WHOLE_EMOJI = b'"oi \\ud83d\\ude00"'


def _raw(body: dict, field_value: bytes) -> bytes:
    """`body` as JSON with the string "@@" replaced by `field_value` (raw JSON)."""
    return json.dumps(body).encode().replace(b'"@@"', field_value)


@pytest.mark.parametrize("method, path, body", [
    ("post", "/api/v1/messages", {"session_id": "s1", "direction": "in", "from": "5511912345678",
                                  "to": "5511987654321", "text": "@@", "external_id": "cut-1"}),
    ("put", "/api/v1/chat-sessions/5511912345678", {"state": {"last_words": "@@"}}),
    ("post", "/api/v1/orders", {"external_order_id": "SO-cut", "recipient_phone": "5511912345678",
                                "items": [{"product_type": "shirt", "quantity": 1, "unit_price": "1.00",
                                           "name": "@@"}]}),
])
def test_rest_bodies_with_a_lone_surrogate_are_400_and_change_nothing(client, tenant, method, path, body):
    response = getattr(client, method)(path, data=_raw(body, CUT_EMOJI), content_type="application/json",
                                       headers=tenant.headers)
    assert "surrogate" in assert_problem(response, 400)["detail"]
    listing = path.rsplit("/", 1)[0] if method == "put" else path
    assert client.get(listing, headers=tenant.headers).get_json()["items"] == []
    whole = getattr(client, method)(path, data=_raw(body, WHOLE_EMOJI), content_type="application/json",
                                    headers=tenant.headers)
    assert whole.status_code in (200, 201), whole.get_data(as_text=True)  # a whole pair is an emoji


def test_a_gateway_message_with_a_lone_surrogate_is_kept_with_a_replacement_character(client, tenant):
    send(client, "evolution", tenant, "connection_update_open")
    body = copy.deepcopy(fixture("evolution", "messages_upsert_text_inbound"))
    body["data"]["message"] = {"conversation": "@@"}
    response = send(client, "evolution", tenant, body, raw=_raw(body, CUT_EMOJI))
    assert response.get_json()["accepted"] == 1
    assert stored(client, tenant, body["data"]["key"]["id"]).get_json()["text"] == "oi \ufffd"


def test_loads_replaces_or_refuses_only_lone_surrogates():
    assert json_text.loads('{"a": ["\\ud83d\\ude00", "\\udc00x"]}', replace=True) == {"a": ["\U0001F600", "\ufffdx"]}
    assert json_text.loads(b'{"\\ud83d": 1}', replace=True) == {"\ufffd": 1}
    assert json_text.loads(b'{"a": "\\ud83d\\ude00"}') == {"a": "\U0001F600"}
    with pytest.raises(json_text.LoneSurrogate):
        json_text.loads(b'{"a": {"b": ["\\uDFFF"]}}')


def test_an_implausible_status_time_is_taken_as_now_not_a_500(client, tenant):
    """A number too large for the database (10**30 ms) would fail the write after the
    batch's earlier items were stored."""
    send(client, "evolution", tenant, "send_message_outbound")
    body = copy.deepcopy(fixture("evolution", "messages_update_read"))
    body["data"]["datetime"] = 10**30
    assert send(client, "evolution", tenant, body).get_json()["accepted"] == 1
    message = stored(client, tenant, body["data"]["keyId"]).get_json()
    assert message["status"] == "read" and message["read_at"].startswith("20")


def test_a_webhook_with_surrogate_bytes_is_400_like_any_invalid_utf8(client, tenant):
    body = json.dumps(fixture("evolution", "messages_upsert_text_inbound")).encode()
    raw = body.replace(b"Oi!", b"Oi \xed\xa0\xbd!")  # a surrogate encoded as if it were a character
    assert raw != body
    assert_problem(send(client, "evolution", tenant, {}, raw=raw), 400)


@pytest.mark.parametrize("timestamp", ["\u00b2", "\u0661\u0667\u0664\u0661\u0669\u0666\u0661\u0662\u0663\u0660",
                                       "\uff11\uff17\uff14\uff11\uff19\uff16\uff11\uff12\uff13\uff10", "9" * 5000])
def test_a_gateway_time_in_other_digits_is_taken_as_now_not_a_500(client, admin, tenant, timestamp):
    """"²".isdigit() is true and int("²") raises; int() reads Arabic-Indic and fullwidth
    digits, and refuses 5,000 of them. Only ASCII digits are a number: anything else is
    a time the gateway did not give, as for a missing one. One such item of a Cloud
    batch costs nothing to the others."""
    send(client, "evolution", tenant, "connection_update_open")
    body = copy.deepcopy(fixture("evolution", "messages_upsert_text_inbound"))
    body["data"]["messageTimestamp"] = timestamp
    before = iso(int(time.time() * 1000) - 1000)  # the parsers' clock is the real one
    assert send(client, "evolution", tenant, body).get_json()["accepted"] == 1
    assert stored(client, tenant, body["data"]["key"]["id"]).get_json()["delivered_at"] >= before  # not 2025

    configure_cloud(client, admin, tenant)
    batch = copy.deepcopy(fixture("cloud", "messages_batch_two_messages"))
    items = batch["entry"][0]["changes"][0]["value"]["messages"]
    items[0]["timestamp"] = timestamp
    answer = send(client, "cloud", tenant, batch).get_json()
    assert answer["accepted"] == 2 and "rejected" not in answer, answer
    assert stored(client, tenant, items[1]["id"]).status_code == 200


@pytest.mark.parametrize("limit", ["\u0661\u0662", "\uff11\uff12", "1_2", "\u00b2"])
def test_a_page_limit_in_other_digits_is_422(client, tenant, limit):
    """int() reads "١٢", "１２" and "1_2" as 12; a number in a query string is ASCII digits."""
    problem = assert_problem(client.get(f"/api/v1/messages?limit={limit}", headers=tenant.headers), 422)
    assert "limit" in json.dumps(problem["errors"])
    assert client.get("/api/v1/messages?limit=12", headers=tenant.headers).status_code == 200
