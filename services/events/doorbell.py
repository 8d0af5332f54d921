"""Telling the Kafka publisher that events were written, so it need not look everywhere.

Two bells, both cheap for the writer:

- `wake()`: a datagram to the publishing process on this host (an abstract Unix socket
  named after DATA_DIR, bound by the lease holder: services.events.kafka_publisher),
  sent after the write; nobody listening costs nothing. The event goes out at once.
- `bell_writes()`, `written()`: the tenant's doorbell (models.event_bell) set to the write's time, at
  most once per BELL_MS per tenant and process, as one more write of the change's own
  ordered write (no command of its own). A publisher on another host reads the bells
  rung lately in one query and watches those tenants for a while (ACTIVE_MS: the
  writes this process makes without ringing, and an event still committing within the
  write deadline, are found by looking again).
"""
import hashlib
import logging
import os
import socket

from models.collections import GlobalCollection
from models.event_bell import EventBell
from models.tenancy import current_tenant_id

log = logging.getLogger(__name__)
BELL_MS = 1000
WAKE_MS = 500
# Who is woken on this host, each a Listener of its own (e.g. a webhook deliverer could add
# "webhooks": every wake-up is then one datagram per name).
LISTENERS = ("kafka",)
_rung: dict[str, int] = {}  # tenant id -> when this process last rang its bell
_woke: dict[str, int] = {}  # tenant id -> when this process last woke the publisher for it
_sender: dict[int, socket.socket] = {}  # pid -> this process's sending socket (not shared across a fork)


class Address:
    value: str | None = None  # set from DATA_DIR (app.register_database)


address = Address()


def configure(data_dir: str) -> None:
    digest = hashlib.sha256(os.path.realpath(data_dir).encode()).hexdigest()[:20]
    address.value = f"\0chatkeep-events-{digest}-"  # Linux abstract namespace: no file to clean up


def bells() -> GlobalCollection:
    return GlobalCollection(EventBell)


def bell_writes(now_ms: int) -> list:
    """[] or [the bell's write], to go last in the change's `models.collections.in_order`;
    call `written` once that succeeded."""
    tenant_id = current_tenant_id()
    if now_ms - _rung.get(tenant_id, -BELL_MS) < BELL_MS:
        return []
    return [bells().update_write({"_id": tenant_id}, {"$max": {"at": now_ms}}, upsert=True)]


def written(now_ms: int, bell: list) -> None:
    """After a write that made events (with `bell`, from bell_writes): wake the publisher."""
    if bell:
        _rung[current_tenant_id()] = now_ms
    wake(now_ms)


def ring(now_ms: int) -> None:
    """After events written on their own: the bell (when due) and the wake."""
    bell = bell_writes(now_ms)
    for write in bell:
        write.apply()
    written(now_ms, bell)


def wake(now_ms: int | None = None) -> None:
    """Tell this host's publisher, if it listens, that the current tenant has new events:
    at most once per WAKE_MS per tenant and process (a woken tenant is looked at every
    few hundred ms for a while: services.events.kafka_publisher)."""
    if address.value is None:
        return
    tenant_id = current_tenant_id()
    if now_ms is not None:
        if now_ms - _woke.get(tenant_id, -WAKE_MS) < WAKE_MS:
            return
        _woke[tenant_id] = now_ms
    sender = _sender.get(os.getpid())
    if sender is None:
        sender = _sender[os.getpid()] = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sender.setblocking(False)
    for name in LISTENERS:
        try:
            sender.sendto(tenant_id.encode(), address.value + name)
        except OSError:  # nobody listens on this host, or its queue is full: the bells still tell
            pass


class Listener:
    """A listener's end (one of LISTENERS): the tenant ids written since the last `wait`."""

    def __init__(self, name: str = "kafka"):
        self._socket = None
        if address.value is None:
            return
        listening = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            listening.bind(address.value + name)
        except OSError as exc:  # another process of this host listens (a holder handing over)
            log.info("events wake-ups not bound (%s): polling only", exc)
            listening.close()
            return
        self._socket = listening

    def wait(self, timeout_s: float) -> set[str]:
        """Block up to `timeout_s` for a wake-up; every tenant id waiting, read at once."""
        if self._socket is None:
            if timeout_s > 0:
                import time
                time.sleep(timeout_s)
            return set()
        woken = set()
        self._socket.settimeout(max(timeout_s, 0.0001))
        try:
            woken.add(self._socket.recv(256).decode())
            self._socket.setblocking(False)
            while True:
                woken.add(self._socket.recv(256).decode())
        except (BlockingIOError, socket.timeout):
            pass
        return woken

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
