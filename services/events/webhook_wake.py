"""Waking the delivering process on this host when events were just written.

The process that delivers webhooks (services.events.webhook_engine) listens on a Unix
datagram socket in Linux's abstract namespace, named after DATA_DIR: nothing to clean
up when it dies, and two services on one machine (their own DATA_DIRs) never wake each
other. A worker that has just committed a change sends it one byte and goes on: sending
never blocks and a missing listener costs nothing (the deliverer then finds the events
at its next poll, within WEBHOOK idle backoff). b"e": endpoints changed, b"w": events.
"""
import functools
import hashlib
import os
import select
import socket
import sys

EVENTS = b"w"
ENDPOINTS = b"e"
_sender: socket.socket | None = None
_sender_pid = None


@functools.lru_cache(maxsize=8)
def address(data_dir: str) -> str | None:
    if not sys.platform.startswith("linux"):
        return None  # no abstract namespace: the deliverer's polling alone
    digest = hashlib.sha256(os.path.realpath(data_dir).encode()).hexdigest()[:24]
    return f"\0chatkeep-webhooks-{digest}"


def nudge(data_dir: str, kind: bytes = EVENTS) -> None:
    """Tell this host's deliverer, if it listens here, that there is something new."""
    global _sender, _sender_pid
    where = address(data_dir)
    if where is None:
        return
    try:
        if _sender is None or _sender_pid != os.getpid():  # a socket per process, made after the fork
            _sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            _sender.setblocking(False)
            _sender_pid = os.getpid()
        _sender.sendto(kind, where)
    except OSError:  # nobody listens (or its queue is full: it is awake anyway)
        pass


class Listener:
    """The deliverer's end; `wait` returns the kinds received (empty on timeout)."""

    def __init__(self, data_dir: str):
        self._socket = None
        where = address(data_dir)
        if where is None:
            return
        try:
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._socket.bind(where)
            self._socket.setblocking(False)
        except OSError:  # another process on this host listens (a holder that just lost its lease)
            self.close()

    def wait(self, timeout_s: float) -> set:
        if self._socket is None:
            select.select([], [], [], timeout_s)
            return set()
        ready, _, _ = select.select([self._socket], [], [], timeout_s)
        kinds = set()
        while ready:
            try:
                kinds.add(self._socket.recv(16))
            except BlockingIOError:
                break
        return kinds

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
