"""One command as one OP_MSG over a socket of the calling thread's own: the ingest
write's round trip to a database spoken to in the clear.

pymongo's pool checkout and check-in, its command runner and its chunked, timeout-
polling reads cost about 55 us of client CPU per webhook beyond the round trip itself
(93-120 us against 44-64 over a plain socket, replaying captured ingest commands;
issue 26), and the reply comes back that much later. For a client whose
connections carry nothing but the messages (no TLS, no authentication, no compression,
no versioned API, not load balanced: `plain`), models.lean_command sends its command
here: the message is built and read as the wire protocol has it (a header, flag bits,
one body section), the reply checked by the driver's own `_check_command_response`.

What the pool gave, kept here: a connection per thread, opened to the primary the
caller selected (another primary: another connection); a connection the server closed
(a restart) is noticed before it is used (one poll before each command; the pool polls
those idle over a second) and opened again; the deadline of `pymongo.timeout()`, else the
client's timeoutMS, else its socketTimeoutMS, bounds the exchange, and connectTimeoutMS
the connect. A network failure or a timeout closes the connection and raises
AutoReconnect or NetworkTimeout, as the driver's do (ConnectionFailure: the webhook
spools what it could not store); the command is never sent twice. A forked child opens
its own connections.
"""
import itertools
import os
import select
import socket
import struct
import threading

import bson
from pymongo import MongoClient
from pymongo.errors import AutoReconnect, NetworkTimeout, ProtocolError

try:  # private: should an upgrade move them, every client keeps the pool (tests/every_tier/test_plain_wire.py fails)
    from pymongo import _csot
    from pymongo.helpers_shared import _check_command_response
except ImportError:
    _csot = _check_command_response = None

OP_MSG = 2013
_HEADER = struct.Struct("<iiii")  # messageLength, requestID, responseTo, opCode
_request_ids = itertools.count(1)  # a thread's own connection: ids need only differ per connection
_threads = threading.local()  # .connection: this thread's (address, socket)


def _forget_connections() -> None:
    global _threads
    _threads = threading.local()  # the parent's sockets stay the parent's


os.register_at_fork(after_in_child=_forget_connections)


def plain(client: MongoClient) -> bool:
    """Whether `client`'s connections carry the messages alone, so this module can speak for it."""
    options = client.options
    pool = options.pool_options
    return (_check_command_response is not None and pool._ssl_context is None and pool._credentials is None
            and not pool._compression_settings.compressors and pool.server_api is None and not options.load_balanced)


def command(client: MongoClient, address: tuple, database: str, body: dict, max_wire_version: int) -> dict:
    """`body` run on `database` at `address` (the primary's); its reply, checked as the
    driver checks it (OperationFailure and its kinds for `ok: 0`)."""
    timeout = _timeout_s(client)
    if timeout is not None and timeout <= 0:
        raise NetworkTimeout(f"{_name(address)}: timed out before sending")
    request_id = next(_request_ids)
    document = bson.encode({**body, "$db": database}, codec_options=client.codec_options)
    message = _HEADER.pack(len(document) + 21, request_id, 0, OP_MSG) + b"\x00\x00\x00\x00\x00" + document
    connection = _connection(client, address, timeout)
    try:
        connection.settimeout(timeout)
        connection.sendall(message)
        length, _, responding_to, op_code = _HEADER.unpack(_read(connection, _HEADER.size))
        if op_code != OP_MSG or responding_to != request_id or length <= _HEADER.size + 5:
            raise ProtocolError(f"{_name(address)}: not the reply to this command (opCode {op_code})")
        payload = _read(connection, length - _HEADER.size)
    except socket.timeout as exc:
        _close()
        raise NetworkTimeout(f"{_name(address)}: timed out") from exc
    except ProtocolError:
        _close()
        raise
    except OSError as exc:
        _close()
        raise AutoReconnect(f"{_name(address)}: {exc}") from exc
    if payload[4] != 0:  # after the flag bits, the body section (kind 0) comes first
        _close()
        raise ProtocolError(f"{_name(address)}: a reply without its body section")
    size = int.from_bytes(payload[5:9], "little")
    reply = bson.decode(payload[5:5 + size], codec_options=client.codec_options)
    _check_command_response(reply, max_wire_version)
    return reply


def _timeout_s(client: MongoClient) -> float | None:
    remaining = _csot.remaining()
    if remaining is not None:
        return remaining
    return client.options.timeout or client.options.pool_options.socket_timeout


def _connection(client: MongoClient, address: tuple, timeout: float | None) -> socket.socket:
    """This thread's open connection to `address`, opened anew when there is none, it
    led elsewhere, or the server closed it."""
    held = getattr(_threads, "connection", None)
    if held is not None and (held[0] != address or _closed(held[1])):
        _close()
        held = None
    if held is None:
        connect_timeout = client.options.pool_options.connect_timeout
        if timeout is not None:
            connect_timeout = min(connect_timeout, timeout) if connect_timeout else timeout
        try:
            if address[0].endswith(".sock"):  # a Unix socket's path, as pymongo spells it
                opened = socket.socket(socket.AF_UNIX)
                opened.settimeout(connect_timeout)
                opened.connect(address[0])
            else:
                opened = socket.create_connection(address, timeout=connect_timeout)
                opened.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                opened.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        except socket.timeout as exc:
            raise NetworkTimeout(f"{_name(address)}: connect timed out") from exc
        except OSError as exc:
            raise AutoReconnect(f"{_name(address)}: {exc}") from exc
        held = _threads.connection = (address, opened)
    return held[1]


def _closed(connection: socket.socket) -> bool:
    """Whether an idle connection can be read: between commands that is only its end."""
    poller = select.poll()
    poller.register(connection, select.POLLIN)
    return bool(poller.poll(0))


def _read(connection: socket.socket, size: int) -> memoryview:
    buffer = memoryview(bytearray(size))
    done = 0
    while done < size:
        received = connection.recv_into(buffer[done:])
        if not received:
            raise OSError("connection closed by the server")
        done += received
    return buffer


def _close() -> None:
    held = getattr(_threads, "connection", None)
    _threads.connection = None
    if held is not None:
        held[1].close()


def _name(address: tuple) -> str:
    return address[0] if address[1] is None else f"{address[0]}:{address[1]}"
