"""The client's API v1.2 calls (message search and export, analytics), which go over its
generic request path, against a loopback server answering as API.md v1.2 says, until the
service's own endpoints are merged (tests/integration/test_client_python.py then runs them
against the real service)."""
import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from chatkeep import AsyncChatKeep, ChatKeep, ProblemError

MESSAGE = {"id": "m1", "session_id": "main", "external_id": None, "conversation_id": "1:2", "from": "1", "to": "2",
           "direction": "in", "type": "text", "text": "Café", "media": None, "status": "delivered",
           "status_history": [{"status": "delivered", "at": "2026-11-22T10:15:30.123Z"}], "error": None,
           "sent_at": None, "delivered_at": "2026-11-22T10:15:30.123Z", "read_at": None, "failed_at": None,
           "created_at": "2026-11-22T10:15:30.123Z", "updated_at": "2026-11-22T10:15:30.123Z"}
CSV = ('id,created_at,session_id,direction,from,to,status,text,media_url,external_id\r\n'
       'm1,2026-11-22T10:15:30.123Z,main,in,1,2,delivered,"two\r\nlines, ""quoted""",,w1\r\n'
       'm2,2026-11-22T10:15:31.123Z,main,out,2,1,sent,plain,,\r\n')
DAY = {"outbound": 2, "sent": 2, "delivered": 1, "read": 0, "failed": 0, "delivery_rate": 0.5, "read_rate": 0.0,
       "failure_rate": 0.0, "time_to_deliver_p50_s": 1.5, "time_to_deliver_p90_s": 1.5, "time_to_read_p50_s": None,
       "time_to_read_p90_s": None}


class V12(BaseHTTPRequestHandler):
    seen: list = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        url = urlparse(self.path)
        query = parse_qs(url.query)
        V12.seen.append((url.path, query, self.headers.get("Authorization")))
        if url.path == "/api/v1/messages/search":
            if query.get("q") == ["!"]:
                return self._send(422, {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
                                        "errors": {"q": ["Words are letters and digits."]}},
                                  "application/problem+json")
            page = {"items": [MESSAGE], "next_cursor": None if query.get("cursor") else "c2"}
            return self._send(200, page)
        if url.path == "/api/v1/messages/export":
            jsonl = query["format"] == ["jsonl"]
            body = (json.dumps(MESSAGE) + "\n" + json.dumps({**MESSAGE, "id": "m2"}) + "\n") if jsonl else CSV
            return self._stream(body.encode(), "application/x-ndjson" if jsonl else "text/csv")
        if url.path == "/api/v1/analytics/delivery":
            return self._send(200, {"from": "2026-11-01", "to": "2026-11-02", "timezone": "UTC", "totals": DAY,
                                    "daily": [{"date": "2026-11-01", **DAY}]})
        return self._send(404, {"type": "about:blank", "title": "Not Found", "status": 404}, "application/problem+json")

    def _send(self, status, body, content_type="application/json"):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _stream(self, raw: bytes, content_type: str):
        """Chunked, cut at awkward places (inside a line, inside a quoted field)."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for start in range(0, len(raw), 7):
            piece = raw[start:start + 7]
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *_args):
        pass


@pytest.fixture(scope="module")
def base_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), V12)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_search_follows_pages_and_sends_the_filters(base_url):
    V12.seen.clear()
    found = list(ChatKeep(base_url, api_key="k").messages.search("cafe entreg*", direction="in", limit=1))
    assert [m.id for m in found] == ["m1", "m1"] and found[0].text == "Café"
    (path, first, auth), (_, second, _) = V12.seen
    assert first == {"q": ["cafe entreg*"], "direction": ["in"], "limit": ["1"]} and auth == "Bearer k"
    assert second["cursor"] == ["c2"]
    with pytest.raises(ProblemError) as invalid:
        list(ChatKeep(base_url, api_key="k").messages.search("!"))
    assert invalid.value.status == 422 and invalid.value.errors == {"q": ["Words are letters and digits."]}


def test_export_streams_messages_or_csv_rows(base_url):
    ck = ChatKeep(base_url, api_key="k")
    assert [m.id for m in ck.messages.export(since="2026-11-01T00:00:00Z")] == ["m1", "m2"]
    rows = list(ck.messages.export(format="csv", conversation="1:2"))
    assert [r["text"] for r in rows] == ['two\r\nlines, "quoted"', "plain"] and rows[1]["status"] == "sent"
    assert V12.seen[-1][1] == {"format": ["csv"], "conversation": ["1:2"]}


def test_analytics_reads_as_attributes(base_url):
    delivery = ChatKeep(base_url, api_key="k").analytics.delivery(from_="2026-11-01", to="2026-11-02")
    assert (delivery.from_, delivery.totals.delivery_rate, delivery.daily[0].date) == ("2026-11-01", 0.5, "2026-11-01")
    assert delivery.totals.time_to_read_p50_s is None
    with pytest.raises(ProblemError) as absent:
        ChatKeep(base_url, api_key="k").analytics.conversations()
    assert absent.value.status == 404


def test_the_async_client_streams_too(base_url):
    async def scenario():
        async with AsyncChatKeep(base_url, api_key="k") as ck:
            rows = [r async for r in ck.messages.export(format="csv")]
            found = [m.id async for m in ck.messages.search("cafe")]
            return rows, found, (await ck.analytics.delivery()).timezone

    rows, found, timezone = asyncio.run(scenario())
    assert len(rows) == 2 and found == ["m1", "m1"] and timezone == "UTC"
