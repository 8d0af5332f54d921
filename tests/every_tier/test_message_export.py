"""GET /api/v1/messages/export on every tier: JSONL and CSV, oldest first, filters,
batches, bad input, and a failure part way that does not look like a finished file."""
import csv
import io
import json
import time
from urllib.parse import quote

import pytest

from services.messaging import message_export
from tests.conftest import assert_problem, create_tenant

BOT = "5511987654321"
CUSTOMER = "5511912345678"
OTHER = "14155550123"


def post(client, tenant, text, direction="in", customer=CUSTOMER, session_id="main", **extra):
    ends = {"from": customer, "to": BOT} if direction == "in" else {"from": BOT, "to": customer}
    response = client.post("/api/v1/messages", headers=tenant.headers, json={
        "session_id": session_id, "direction": direction, "text": text, **ends, **extra})
    assert response.status_code == 201, response.get_json()
    time.sleep(0.002)
    return response.get_json()


def export(client, tenant, **params):
    query = "&".join(f"{k}={quote(str(v))}" for k, v in params.items())
    return client.get(f"/api/v1/messages/export?{query}", headers=tenant.headers)


def jsonl(client, tenant, **params) -> list[dict]:
    response = export(client, tenant, format="jsonl", **params)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data(as_text=True)
    assert body == "" or body.endswith("\n")
    return [json.loads(line) for line in body.splitlines()]


def test_jsonl_is_one_message_per_line_in_the_api_shape_oldest_first(client, tenant, admin):
    first = post(client, tenant, "primeira", external_id="wamid.1")
    second = post(client, tenant, None, direction="out", type="image",
                  media={"url": "https://gw.example/1.jpg", "mime_type": "image/jpeg", "caption": "foto"})
    assert client.patch(f"/api/v1/messages/{second['id']}", json={"status": "read"},
                        headers=tenant.headers).status_code == 200
    post(client, create_tenant(client, admin), "de outro tenant")
    response = export(client, tenant, format="jsonl")
    assert response.mimetype == "application/x-ndjson"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="messages-')
    assert response.headers["Content-Disposition"].endswith('.jsonl"')
    lines = jsonl(client, tenant)
    assert lines == [client.get(f"/api/v1/messages/{m['id']}", headers=tenant.headers).get_json()
                     for m in (first, second)]
    assert lines[1]["status"] == "read" and lines[1]["media"]["caption"] == "foto"


def test_csv_has_its_header_and_quotes_what_needs_quoting(client, tenant):
    tricky = 'Linha 1, "citada"\nLinha 2; ação ✅'
    post(client, tenant, tricky, external_id="ext,1")
    post(client, tenant, "=HYPERLINK(\"http://evil.example\")", direction="out")
    post(client, tenant, None, type="image", media={"url": "https://gw.example/a.jpg"})
    response = export(client, tenant, format="csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["id", "created_at", "session_id", "direction", "from", "to", "status", "text", "media_url",
                       "external_id"]
    assert [r[7] for r in rows[1:]] == [tricky, "'=HYPERLINK(\"http://evil.example\")", ""]
    assert rows[1][9] == "ext,1" and rows[1][3:7] == ["in", CUSTOMER, BOT, "delivered"]
    assert rows[2][3:7] == ["out", BOT, CUSTOMER, "pending"] and rows[3][8] == "https://gw.example/a.jpg"
    assert rows[1][1].endswith("Z") and rows[1][1] < rows[2][1] < rows[3][1]


def test_filters_choose_what_is_exported(client, tenant):
    first = post(client, tenant, "um", session_id="loja-a")
    post(client, tenant, "dois", customer=OTHER, session_id="loja-b")
    third = post(client, tenant, "tres", direction="out", session_id="loja-b")
    texts = lambda **params: [m["text"] for m in jsonl(client, tenant, **params)]  # noqa: E731
    assert texts() == ["um", "dois", "tres"]
    assert texts(session_id="loja-b") == ["dois", "tres"]
    assert texts(since=third["created_at"]) == ["tres"]
    assert texts(until=third["created_at"]) == ["um", "dois"]
    assert texts(since=first["created_at"], until=first["created_at"]) == []
    # The conversation's two phones in any order and any accepted form.
    assert texts(conversation=f"{BOT}@s.whatsapp.net:+55 (11) 91234-5678") == ["um", "tres"]
    assert texts(conversation=f"{OTHER}:{BOT}") == ["dois"]


def test_a_long_export_is_read_in_batches_without_repeats_or_gaps(client, tenant, monkeypatch):
    monkeypatch.setattr(message_export, "BATCH", 3)
    beats = []
    monkeypatch.setattr(message_export.heartbeat, "beat", lambda: beats.append(1))
    sent = [post(client, tenant, f"n{n}")["id"] for n in range(11)]
    assert [m["id"] for m in jsonl(client, tenant)] == sent
    assert len(beats) == 4  # the worker told gunicorn it is alive after each batch


def test_bad_parameters_are_422_naming_the_field(client, tenant):
    assert_problem(export(client, tenant), 422, "format")
    assert_problem(export(client, tenant, format="xml"), 422, "format")
    assert_problem(export(client, tenant, format="csv", since="yesterday"), 422, "since")
    assert_problem(export(client, tenant, format="csv", until="2026-02-30T00:00:00Z"), 422, "until")
    for conversation in ("5511912345678", "abc:5511987654321", ":5511987654321", "5511912345678:"):
        assert_problem(export(client, tenant, format="csv", conversation=conversation), 422, "conversation")
    assert client.get("/api/v1/messages/export?format=csv").status_code == 401


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_failure_part_way_is_an_error_not_a_shorter_file(client, tenant, monkeypatch, fmt):
    """The body is a stream: once the first batch is out, the status is sent. A failure
    after it must reach the server (which then cuts the connection before the chunked
    body's end, so the client sees an error) rather than end the body cleanly."""
    monkeypatch.setattr(message_export, "BATCH", 2)
    for n in range(5):
        post(client, tenant, f"n{n}")
    real = message_export.oldest_first

    def failing(*args, **kwargs):
        for number, batch in enumerate(real(*args, **kwargs)):
            if number == 1:
                raise ConnectionError("the database went away")
            yield batch
    monkeypatch.setattr(message_export, "oldest_first", failing)
    response = export(client, tenant, format=fmt)
    assert response.status_code == 200
    with pytest.raises(ConnectionError):
        response.get_data()


def test_many_messages_in_one_millisecond_are_each_exported_once(client, tenant, monkeypatch, frozen_clock):
    monkeypatch.setattr(message_export, "BATCH", 2)
    frozen_clock.set("2026-11-22T10:00:00Z")
    tied = [post(client, tenant, f"t{n}")["id"] for n in range(7)]  # one millisecond: the _id orders them
    frozen_clock.set("2026-11-22T10:00:01Z")
    later = [post(client, tenant, f"l{n}")["id"] for n in range(3)]
    assert [m["id"] for m in jsonl(client, tenant)] == sorted(tied) + sorted(later)
