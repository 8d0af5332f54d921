"""A per-process cache of tenant lookups, so authentication costs no database command.

An entry is good for AUTH_CACHE_S seconds from the read that made it, timed by this
process's monotonic clock. In a gunicorn worker a background job
(services.tenancy.tenants.watch_tenant_changes) re-reads every cached tenant in one
query twice per AUTH_CACHE_S: an entry whose tenant is gone or differs in any field is
dropped, the others are good again from that read. So a rotated key or webhook token,
or a changed setting, stops applying in every worker within AUTH_CACHE_S however it
was changed (the API of another worker or host, `snapshot restore --replace`, a direct
edit of the database) and whatever the hosts' clocks say, and requests read nothing
while the job runs. If it stops, entries expire and requests read again. The worker
that made a change forgets everything at once. When the database cannot be reached,
an entry up to STALE_S old is used instead, and failing that the tenant's last known
verification data on disk (LastKnownTenants), so webhooks can still be verified (and
spooled) during an outage, by any worker, even one started after the outage began.
Misses are never cached.
"""
import contextlib
import json
import os
import threading
import time
from pathlib import Path

from pymongo.errors import PyMongoError

from services import secret_box
from services.private_files import open_private, private_dir
from services.tenancy.tenant_secrets import SECRET_FIELDS

STALE_S = 3600
MAX_ENTRIES = 10_000


def stamp(tenant) -> tuple:
    """What tells one state of a tenant from the next."""
    return tenant.updated_at, tenant.version


class TenantCache:
    def __init__(self, fresh_s: float = 2.0):
        self.fresh_s = fresh_s
        self._entries: dict = {}
        self._generation = 0  # bumped by clear(): a read begun before it is not kept
        self._lock = threading.Lock()

    @staticmethod
    def now() -> float:
        """The clock entries are aged by: this process's, never a stamp from the database."""
        return time.monotonic()

    def get(self, key, load, fallback=None):
        now = self.now()
        entry = self._entries.get(key)
        if entry is not None and now - entry[1] < self.fresh_s:
            return entry[0]
        generation = self._generation
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
            if generation != self._generation:
                pass  # this worker changed a tenant meanwhile: the value may predate it
            elif value is None:
                self._entries.pop(key, None)
            else:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key] = (value, now)
        return value

    def knows(self, key) -> bool:
        """Whether this worker has verified `key` recently (no database involved)."""
        entry = self._entries.get(key)
        return entry is not None and self.now() - entry[1] < STALE_S

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1

    def revalidate(self, current_of, read_started: float) -> int:
        """The watcher's look: `current_of(ids)` -> {id: the tenant as stored now}, read
        once it started at `read_started` (this clock). A tenant gone or changed in any
        field drops its entries; the others are good from `read_started`. Dropped count."""
        with self._lock:
            seen = list(self._entries.items())
        current = current_of({value.id for _key, (value, _at) in seen}) if seen else {}
        dropped = 0
        with self._lock:
            for key, (value, at) in seen:
                if self._entries.get(key, (None,))[0] is not value:
                    continue  # replaced or forgotten meanwhile
                now_value = current.get(value.id)
                if now_value is None or now_value.to_mongo() != value.to_mongo():
                    del self._entries[key]
                    dropped += 1
                elif at < read_started:
                    self._entries[key] = (value, read_started)
        return dropped


class LastKnownTenants:
    """Each tenant's webhook verification data in DATA_DIR/tenant-cache/<slug>.json
    (0600, in a 0700 directory), rewritten only when the tenant changes. Keys and tokens
    are there as hashes, secrets as ciphertext: sealed here too, should the tenant still
    hold a clear value from before encryption."""

    FIELDS = ("id", "slug", "name", "webhook_token_hash", "api_key_hash", "cloud_app_secret",
              "cloud_verify_token", "chat_session_ttl_hours", "timezone", "created_at", "updated_at", "version")

    def __init__(self):
        self.directory: Path | None = None
        self._written: dict[str, tuple] = {}

    def remember(self, tenant) -> None:
        if self.directory is None or self._written.get(tenant.slug) == stamp(tenant):
            return
        try:
            self._write(self.directory, tenant.slug, {name: getattr(tenant, name) for name in self.FIELDS})
            self._written[tenant.slug] = stamp(tenant)
        except OSError:
            pass  # an optimisation for outages; never a reason to fail a request

    @staticmethod
    def _write(directory: Path, slug: str, record: dict) -> None:
        private_dir(directory)
        temporary = directory / f".{slug}.tmp"
        with open_private(temporary, "w") as handle:
            json.dump({**record, **{name: secret_box.sealed(record.get(name)) for name in SECRET_FIELDS}}, handle)
        os.replace(temporary, directory / f"{slug}.json")

    def seal_files(self, directory: Path) -> int:
        """At start-up: rewrite files an older version left with clear secrets (or open
        to other users); a tenant idle since then would keep its file as it is. Returns
        how many were rewritten."""
        if not directory.is_dir():
            return 0
        private_dir(directory)
        rewritten = 0
        for path in sorted(directory.glob("*.json")):
            try:
                record = json.loads(path.read_text())
                if not isinstance(record, dict):
                    raise ValueError("not a tenant record")
                if path.stat().st_mode & 0o077 or any(record.get(name) and not secret_box.is_sealed(record[name])
                                                      for name in SECRET_FIELDS):
                    self._write(directory, path.stem, record)
                    rewritten += 1
            except (OSError, ValueError):
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)  # unreadable: of no use in an outage either
        return rewritten

    def recall(self, slug: str):
        from models.tenant import Tenant

        try:
            data = json.loads((self.directory / f"{slug}.json").read_text()) if self.directory else None
        except (OSError, ValueError):
            return None
        return Tenant(**data) if data else None


cache = TenantCache()
last_known = LastKnownTenants()
