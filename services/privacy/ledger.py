"""The erasure ledger: which contacts were erased, and when, without their phones.

An entry's id is HMAC-SHA256 of "<tenant id>:<phone>" under the tenant's ledger key,
which SECRET_KEY only encrypts (services.privacy.ledger_keys): rotating SECRET_KEY and
dropping the old key leaves every entry recognised. Every path that
could bring an erased contact's data back (webhooks, REST writes, spool and archive
replay, restore, legacy import) asks `erased_before(phones, at)`: a message dated at
or before its contact's erasure is not stored; a later one is, as new.

Each process keeps a tenant's ledger in memory: it is reread when its size changed,
which one count per REFRESH_S tells. In a gunicorn worker the tenant watcher job does
those counts (`refresh_cached`), so messages read nothing; elsewhere the first use after
REFRESH_S does. Another worker learns of an erasure within REFRESH_S; the erasure sweeps
the store once more after that (services.privacy.erasure).
"""
import functools
import hashlib
import hmac
import threading
import time

from models.collections import scoped
from models.erasure import ErasedContact
from models.tenancy import current_tenant_id, tenant_scope
from services import secret_box
from services.errors import Conflict
from services.privacy import ledger_keys

REFRESH_S = 2.0


class ContactErased(Conflict):
    """Data dated at or before its contact's erasure: never stored again."""
    slug = "contact-erased"


def refuse_if_erased(phones, at: int) -> None:
    if erased_before(phones, at):
        raise ContactErased("This contact's data was erased; messages dated before the erasure are not stored "
                            "again (one dated after it is stored as new).")

def only_erased_history(events) -> bool:
    """Whether a webhook body's events are all messages the ledger refuses (a gateway
    re-sending an erased contact's old messages): such a body is not archived either."""
    return bool(events) and all(getattr(event, "chat", None) and erased_before(
        (event.chat, getattr(event, "own", None)), event.at) for event in events)


_cache: dict = {}  # tenant id -> (checked at, size, {hash: erased_at}, [ledger key])
_lock = threading.Lock()


def contact_hashes(phone: str) -> list[str]:
    """The phone's ledger ids under each of the tenant's ledger keys (the writing one's
    first), and under the keys derived from SECRET_KEY, which older ledgers used until
    the start-up keeps them (ledger_keys.settle)."""
    return _hashes(current_tenant_id(), phone, _with_derived(_load_cached()[1]))


def _with_derived(keys: list) -> tuple[bytes, ...]:
    """The tenant's ledger keys, then the keys derived from SECRET_KEY (older ledgers')."""
    return tuple(dict.fromkeys(keys + list(secret_box.hmac_keys())))


@functools.lru_cache(maxsize=65536)  # every message asks for its two phones' ids
def _hashes(tenant_id: str, phone: str, keys: tuple[bytes, ...]) -> list[str]:
    message = f"{tenant_id}:{phone}".encode()
    return [hmac.new(key, message, hashlib.sha256).hexdigest() for key in keys]


def record(phone: str, at: int) -> None:
    """Enter the phone in the ledger (an older entry's time moves forward)."""
    key = ledger_keys.writing_key(_load_cached(fresh=True)[1])
    entry_id = _hashes(current_tenant_id(), phone, (key,))[0]
    scoped(ErasedContact).update_one({"_id": entry_id}, {"$max": {"erased_at": at}}, upsert=True)
    forget()


def erased_at(phone: str) -> int | None:
    entries = _entries()
    if not entries:
        return None
    times = [entries[h] for h in contact_hashes(phone) if h in entries]
    return max(times) if times else None


def erased_before(phones, at: int) -> bool:
    """Whether any of `phones` (None skipped) was erased at or after `at`: data dated then
    belongs to the erased history and must not come back."""
    entries, keys = _load_cached()
    if not entries:
        return False
    keys, tenant_id = _with_derived(keys), current_tenant_id()
    return any(entries.get(h, -1) >= at for phone in phones if phone for h in _hashes(tenant_id, phone, keys))


def any_erased() -> bool:
    """Whether the current tenant erased anyone (scrubbing has nothing to do otherwise)."""
    return bool(_entries())


def forget() -> None:
    with _lock:
        _cache.pop(current_tenant_id(), None)


def refresh_cached() -> None:
    """Recount the ledgers this process keeps (the tenant watcher's job, in the background)."""
    for tenant_id in list(_cache):
        with tenant_scope(tenant_id):
            _load(tenant_id, time.monotonic(), _cache.get(tenant_id))


def _entries() -> dict:
    return _load_cached()[0]


def _load_cached(fresh: bool = False) -> tuple[dict, list]:
    """({hash: erased_at}, [ledger key]) of the current tenant, reread when stale."""
    tenant_id, now = current_tenant_id(), time.monotonic()
    cached = _cache.get(tenant_id)
    if cached is None or fresh or now - cached[0] >= REFRESH_S:
        cached = _load(tenant_id, now, None if fresh else cached)
    return cached[2], cached[3]


def _load(tenant_id: str, now: float, cached) -> tuple:
    ledger = scoped(ErasedContact)
    # Count and latest time: a contact erased again moves its time, not the count.
    latest = [e["erased_at"] for e in ledger.find({}, sort=[("erased_at", -1)], limit=1, projection={"erased_at": 1})]
    size = (ledger.count({}), latest[0] if latest else 0)
    if cached is not None and size == cached[1]:
        entries, keys = cached[2], cached[3]
    else:
        documents = list(ledger.find({})) if size[0] else []
        entries = {e["_id"]: e["erased_at"] for e in documents if not ledger_keys.is_key(e)}
        keys = ledger_keys.opened([e for e in documents if ledger_keys.is_key(e)])
    loaded = (now, size, entries, keys)
    with _lock:
        _cache[tenant_id] = loaded
    return loaded
