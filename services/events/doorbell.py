"""Telling the Kafka publisher that events were written, so it need not look everywhere.

Two bells, both cheap for the writer:

- `wake()`: a datagram to the publishing process on this host (services.events.local_wake,
  bound by the lease holder: services.events.kafka_publisher), and one to the webhook
  deliverer's (services.events.webhook_wake), sent after the write; nobody listening
  costs nothing. The event goes out at once.
- `bell_writes()`, `written()`: the tenant's doorbell (models.event_bell) set to the write's time, at
  most once per BELL_MS per tenant and process, as one more write of the change's own
  ordered write (no command of its own). A publisher on another host reads the bells
  rung lately in one query and watches those tenants for a while (ACTIVE_MS: the
  writes this process makes without ringing, and an event still committing within the
  write deadline, are found by looking again).
"""
from models.collections import GlobalCollection
from models.event_bell import EventBell
from models.tenancy import current_tenant_id
from services.events import local_wake, webhook_wake

BELL_MS = 1000
WAKE_MS = 500
LISTENER = "kafka"
_rung: dict[str, int] = {}  # tenant id -> when this process last rang its bell
_woke: dict[str, int] = {}  # tenant id -> when this process last woke the publisher for it


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


def wake(now_ms: int) -> None:
    """Tell this host's webhook deliverer and Kafka publisher, if they listen, that the
    current tenant has new events, whoever wrote them (a request, a spool replay, a
    sync, a repair). The deliverer at every write (it backs off when idle); the
    publisher at most once per WAKE_MS per tenant and process (a woken tenant is looked
    at every few hundred ms for a while: services.events.kafka_publisher)."""
    if not local_wake.configured():
        return
    webhook_wake.nudge(webhook_wake.EVENTS)
    tenant_id = current_tenant_id()
    if now_ms - _woke.get(tenant_id, -WAKE_MS) < WAKE_MS:
        return
    _woke[tenant_id] = now_ms
    local_wake.send(LISTENER, tenant_id.encode())


class Listener(local_wake.Listener):
    """The publisher's end: the tenant ids written since the last `wait`."""

    def __init__(self):
        super().__init__(LISTENER)

    def wait(self, timeout_s: float) -> set[str]:
        return {payload.decode() for payload in super().wait(timeout_s)}
