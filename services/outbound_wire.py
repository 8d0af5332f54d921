"""One HTTP/1.1 exchange with an address already resolved and checked, over before a deadline.

No library that resolves names itself stands between the check and the connection: the
socket connects to the checked address, TLS verifies the URL's host name (and sends it as
SNI), the Host header carries the name. No proxy settings are read (http.client reads
none), no redirect is followed, the connection is not reused.

The deadline bounds the whole exchange, not each read: every socket operation gets the
time left, and a watchdog shuts the socket down at the deadline, so a peer that drips a
byte at a time cannot hold the caller past it.
"""
import http.client
import socket
import ssl
import threading
import time

import certifi

_tls = None
_tls_lock = threading.Lock()


def tls_context() -> ssl.SSLContext:
    """The system's CAs (SSL_CERT_FILE and SSL_CERT_DIR add one's own) and certifi's, as requests had."""
    global _tls
    with _tls_lock:
        if _tls is None:
            context = ssl.create_default_context()
            context.load_verify_locations(certifi.where())
            _tls = context
        return _tls


class Expired(TimeoutError):
    """The deadline passed."""


def left(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Expired()
    return remaining


def exchange(addresses: list[tuple], host: str, port: int, tls: bool, method: str, target: str,
             headers: dict, body: bytes | None, deadline: float, max_bytes: int) -> tuple[int, bytes]:
    """(status, at most max_bytes + 1 bytes of the body) from the first of `addresses`
    ((family, socket address) pairs, each checked) that connects.
    Expired at the deadline; OSError or http.client.HTTPException when the peer fails."""
    sock = _connect(addresses, deadline)
    twin = sock.dup()  # shutting the twin down ends a blocked read, also once TLS wraps the socket
    fired = threading.Event()
    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _shut, (twin, fired))
    watchdog.daemon = True
    watchdog.start()
    try:
        if tls:
            sock.settimeout(left(deadline))
            sock = tls_context().wrap_socket(sock, server_hostname=host)  # verifies the name
        sock.settimeout(left(deadline))
        connection = (http.client.HTTPSConnection(host, port, context=tls_context()) if tls
                      else http.client.HTTPConnection(host, port))
        connection.sock = sock  # already connected: http.client does not connect (nor resolve) again
        connection.request(method, target, body=body, headers={"Connection": "close", **headers})
        response = connection.getresponse()
        data = response.read(max_bytes + 1) if max_bytes else b""
        return response.status, data
    except (OSError, http.client.HTTPException) as exc:
        if fired.is_set() or isinstance(exc, TimeoutError) or time.monotonic() >= deadline:
            raise Expired() from None
        raise
    finally:
        watchdog.cancel()
        sock.close()
        twin.close()


def _connect(addresses: list[tuple], deadline: float) -> socket.socket:
    failure: OSError = OSError("no address")
    for family, address in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(left(deadline))
            sock.connect(address)
            return sock
        except Expired:
            sock.close()
            raise
        except OSError as exc:
            sock.close()
            if isinstance(exc, TimeoutError) or time.monotonic() >= deadline:
                raise Expired() from None
            failure = exc
    raise failure


def _shut(sock: socket.socket, fired: threading.Event) -> None:
    fired.set()
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed: the exchange ended as the deadline came
        pass
