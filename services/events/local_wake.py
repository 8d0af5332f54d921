"""Datagrams to a process of this host that waits for them: cheap wake-ups after a write.

A listener binds a Unix datagram socket in Linux's abstract namespace, named after the
service's DATA_DIR and the listener's name: nothing to clean up when it dies, and two
services on one machine (their own DATA_DIRs) never wake each other. A sender never
blocks, and nobody listening costs nothing: the waiting process then finds the work at
its next poll. Used by the Kafka publisher (services.events.doorbell) and the webhook
engine (services.events.webhook_wake).
"""
import hashlib
import logging
import os
import select
import socket

log = logging.getLogger(__name__)
_prefix: list[str | None] = [None]  # set from DATA_DIR (configure, at app start)
_sender: dict[int, socket.socket] = {}  # pid -> this process's sending socket (not shared across a fork)


def configure(data_dir: str | None) -> None:
    """Listeners and senders of this process belong to the service of `data_dir` (None: none)."""
    if data_dir is None:
        _prefix[0] = None
        return
    digest = hashlib.sha256(os.path.realpath(data_dir).encode()).hexdigest()[:20]
    _prefix[0] = f"\0chatkeep-{digest}-"


def configured() -> bool:
    return _prefix[0] is not None


def send(name: str, payload: bytes) -> None:
    """`payload` to this host's listener `name`, if one listens."""
    if _prefix[0] is None:
        return
    sender = _sender.get(os.getpid())
    if sender is None:
        sender = _sender[os.getpid()] = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sender.setblocking(False)
    try:
        sender.sendto(payload, _prefix[0] + name)
    except OSError:  # nobody listens on this host, or its queue is full: it is awake anyway
        pass


class Listener:
    """The waiting end of `name`; `wait` returns the payloads received (empty on timeout)."""

    def __init__(self, name: str):
        self._socket = None
        if _prefix[0] is None:
            return
        listening = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            listening.bind(_prefix[0] + name)
        except OSError as exc:  # another process of this host listens (a holder handing over)
            log.info("%s wake-ups not bound (%s): polling only", name, exc)
            listening.close()
            return
        listening.setblocking(False)
        self._socket = listening

    def wait(self, timeout_s: float) -> set[bytes]:
        """Block up to `timeout_s` for a payload; every payload waiting, read at once."""
        if self._socket is None:
            select.select([], [], [], max(timeout_s, 0))
            return set()
        ready, _, _ = select.select([self._socket], [], [], max(timeout_s, 0))
        received = set()
        while ready:
            try:
                received.add(self._socket.recv(256))
            except BlockingIOError:
                break
        return received

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
