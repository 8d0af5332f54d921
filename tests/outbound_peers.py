"""Peers that misbehave toward ChatKeep's outbound calls, as real loopback servers, and a
resolver that lies: a tarpit that drips its answer, an HTTP proxy that records what
reaches it, an HTTPS server with its own certificate, and DNS answers set per name."""
import datetime
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PUBLIC = "93.184.215.14"  # a public address the tests never really dial (see Resolver)


class Tarpit:
    """Reads the request, then sends an HTTP answer one byte every `interval_s`, for at most
    `for_s` seconds, then hangs up. Each byte restarts a per-read timeout."""

    def __init__(self, interval_s: float = 0.5, for_s: float = 10.0):
        self.interval_s, self.for_s = interval_s, for_s
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self._closed.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn):
        answer = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"z" * 10_000 + b"\r\n\r\n"
        ends = time.monotonic() + self.for_s
        try:
            conn.recv(65536)
            for byte in answer:
                if time.monotonic() >= ends or self._closed.is_set():
                    break
                conn.sendall(bytes([byte]))
                time.sleep(self.interval_s)
        except OSError:  # the client hung up: what the deadline should do
            pass
        finally:
            conn.close()

    def close(self):
        self._closed.set()
        self.listener.close()


class Proxy:
    """An HTTP proxy that records every request reaching it and answers 200 itself."""

    def __init__(self):
        self.seen: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                proxy.seen.append(self.requestline)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = do_CONNECT = _any  # noqa: N815 (http.server's names)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Resolver:
    """socket.getaddrinfo with answers set per name: `answers[name]` is a list of addresses
    given in turn (the last repeats), or an exception to raise, or ("sleep", seconds).
    A connection to PUBLIC is refused here and recorded, so no test dials the internet."""

    def __init__(self, monkeypatch, answers: dict):
        self.answers, self.lookups, self.dialled = answers, {}, []
        real_lookup, real_connect = socket.getaddrinfo, socket.socket.connect
        resolver = self

        def getaddrinfo(host, port, *args, **kwargs):
            if host not in resolver.answers:
                return real_lookup(host, port, *args, **kwargs)
            turn = resolver.lookups.get(host, 0)
            resolver.lookups[host] = turn + 1
            answer = resolver.answers[host]
            if isinstance(answer, Exception):
                raise answer
            if isinstance(answer, tuple):
                time.sleep(answer[1])
                answer = ["203.0.113.1"]
            return real_lookup(answer[min(turn, len(answer) - 1)], port, *args, **kwargs)

        def connect(sock, address):
            if address[0] in (PUBLIC, f"::ffff:{PUBLIC}"):
                resolver.dialled.append(address[:2])
                raise ConnectionRefusedError(111, "refused by the test")
            return real_connect(sock, address)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket.socket, "connect", connect)


class TlsServer:
    """An HTTPS server on loopback with a self-signed certificate for `name`; records the SNI
    and Host it was sent. `trust()` is a client context that trusts that certificate."""

    def __init__(self, name: str):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(key, hashes.SHA256()))
        self.cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        self.sni: list = []
        self.hosts: list = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.hosts.append(self.headers.get("Host"))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".pem") as pem:
            pem.write(key_pem.decode() + self.cert_pem)
            pem.flush()
            context.load_cert_chain(pem.name)
        context.sni_callback = lambda _sock, sni, _ctx: self.sni.append(sni)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def trust(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cadata=self.cert_pem)
        return context

    def close(self):
        self.server.shutdown()
        self.server.server_close()
