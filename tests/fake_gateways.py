"""Fake gateways: real HTTP servers on loopback ports answering what each gateway's
documentation shows (sources in tests/fixtures/gateways/README.md).

A FakeGateway answers GET requests from `routes` {path with query: (status, body)}, a
request without the expected key header 401, and records what it was asked. `delay_s`
makes it slower than a client's timeout.
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeGateway:
    def __init__(self, key_header: str, key: str, auth_scheme: str = ""):
        self.key_header, self.expected = key_header, f"{auth_scheme}{key}"
        self.routes: dict = {}
        self.requests: list = []
        self.delay_s = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                gateway.requests.append((self.path, dict(self.headers)))
                if gateway.delay_s:
                    time.sleep(gateway.delay_s)
                if self.headers.get(gateway.key_header) != gateway.expected:
                    return self._answer(401, {"error": "Unauthorized"})
                status, body = gateway.routes.get(self.path, (404, {"error": "Not Found"}))
                return self._answer(status, body)

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    pass

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def evolution_state(instance: str, state: str) -> dict:
    """Evolution API v2 `GET /instance/connectionState/{instance}`."""
    return {"instance": {"instanceName": instance, "state": state}}


def waha_session(name: str, status: str, me_id: str | None = None) -> dict:
    """WAHA `GET /api/sessions/{name}`."""
    me = {"id": me_id, "pushName": "Loja Exemplo"} if me_id else None
    return {"name": name, "status": status, "config": {"webhooks": []}, "me": me, "engine": {"engine": "NOWEB"}}


def cloud_phone_number(phone_number_id: str, status: str, display: str = "+55 11 98765-4321",
                       health: str | None = None) -> dict:
    """Graph API `GET /{phone-number-id}?fields=display_phone_number,status,quality_rating[,health_status]`."""
    body = {"display_phone_number": display, "status": status, "quality_rating": "GREEN", "id": phone_number_id}
    if health:
        body["health_status"] = {"can_send_message": health, "entities": [
            {"entity_type": "PHONE_NUMBER", "id": phone_number_id, "can_send_message": health}]}
    return body
