"""A short-lived, per-process cache of tenant lookups (authentication's one read).

An entry is fresh for AUTH_CACHE_S seconds (default 2): within that window a worker
that did not make a change may still honour a just-rotated key or a just-changed
setting; the worker that made the change forgets everything at once. When the
database cannot be reached, an entry up to STALE_S old is used instead, and failing
that the tenant's last known verification data on disk (LastKnownTenants), so
webhooks can still be verified (and spooled) during an outage, by any worker, even
one started after the outage began. Misses are never cached.
"""
import json
import os
import threading
import time
from pathlib import Path

from pymongo.errors import PyMongoError

STALE_S = 3600
MAX_ENTRIES = 10_000


class TenantCache:
    def __init__(self, fresh_s: float = 2.0):
        self.fresh_s = fresh_s
        self._entries: dict = {}
        self._lock = threading.Lock()

    def get(self, key, load, fallback=None):
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and now - entry[1] < self.fresh_s:
            return entry[0]
        try:
            value = load()
        except PyMongoError:
            if entry is not None and now - entry[1] < STALE_S:
                return entry[0]
            remembered = fallback() if fallback else None
            if remembered is None:
                raise
            return remembered
        with self._lock:
            if value is None:
                self._entries.pop(key, None)
            else:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key] = (value, now)
        return value

    def knows(self, key) -> bool:
        """Whether this worker has verified `key` recently (no database involved)."""
        entry = self._entries.get(key)
        return entry is not None and time.monotonic() - entry[1] < STALE_S

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class LastKnownTenants:
    """Each tenant's webhook verification data in DATA_DIR/tenant-cache/<slug>.json
    (mode 0600), rewritten only when the tenant's updated_at changes."""

    FIELDS = ("id", "slug", "name", "webhook_token_hash", "api_key_hash", "cloud_app_secret",
              "cloud_verify_token", "chat_session_ttl_hours", "timezone", "created_at", "updated_at")

    def __init__(self):
        self.directory: Path | None = None
        self._written: dict[str, int] = {}

    def remember(self, tenant) -> None:
        if self.directory is None or self._written.get(tenant.slug) == tenant.updated_at:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            temporary = self.directory / f".{tenant.slug}.tmp"
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump({name: getattr(tenant, name) for name in self.FIELDS}, handle)
            os.replace(temporary, self.directory / f"{tenant.slug}.json")
            self._written[tenant.slug] = tenant.updated_at
        except OSError:
            pass  # an optimisation for outages; never a reason to fail a request

    def recall(self, slug: str):
        from models.tenant import Tenant

        try:
            data = json.loads((self.directory / f"{slug}.json").read_text()) if self.directory else None
        except (OSError, ValueError):
            return None
        return Tenant(**data) if data else None


cache = TenantCache()
last_known = LastKnownTenants()
