"""A webhook receiver: a real HTTP server on a loopback port that records each POST and
answers with the statuses it is told to (then 200)."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, statuses=(), delay_s: float = 0.0, port: int = 0):
        self.statuses = list(statuses)  # answers for the first requests, then 200
        self.delay_s = delay_s
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.delay_s:
                    time.sleep(receiver.delay_s)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.received.append({"headers": dict(self.headers), "raw": raw, "status": status,
                                          "body": json.loads(raw)})
                try:
                    self.send_response(status)
                    if 300 <= status < 400:
                        self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self) -> list[dict]:
        return [r for r in self.received if 200 <= r["status"] < 300]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
