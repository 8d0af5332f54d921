"""The webhook spool: verified gateway payloads kept on local disk while the
database cannot take them, replayed in arrival order when it can.

One file per request, written to a temporary name, fsynced, renamed and the
directory fsynced before the gateway is answered, so an answered event survives a
crash. Replay goes through the same idempotent storage path, so a payload that was
partly stored before the outage, or replayed twice, is still stored once.
"""
import json
import logging
import os
import secrets
import time
from pathlib import Path

from services.snapshot_files import fsync_dir

log = logging.getLogger(__name__)


def spool_dir(data_dir: str) -> Path:
    return Path(data_dir) / "spool"


def append(data_dir: str, gateway: str, tenant_id: str, body: bytes) -> Path:
    """Durably keep one verified payload; raises OSError when the disk cannot."""
    root = spool_dir(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(4)}.json"
    record = {"gateway": gateway, "tenant_id": tenant_id, "received_at_ms": time.time_ns() // 1_000_000,
              "body": body.decode("utf-8")}
    temporary = root / f".{name}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(record, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, root / name)
        fsync_dir(root)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
    return root / name


def pending(data_dir: str) -> list[Path]:
    """Spooled files, oldest first."""
    root = spool_dir(data_dir)
    return sorted(p for p in root.glob("*.json")) if root.is_dir() else []


def depth_and_age(data_dir: str) -> tuple[int, float]:
    files = pending(data_dir)
    if not files:
        return 0, 0.0
    oldest_ns = int(files[0].name.split("-", 1)[0])
    return len(files), max(0.0, time.time() - oldest_ns / 1e9)


def replay(data_dir: str, store) -> int:
    """Hand each spooled record to `store(record)` in order, removing it once stored.

    Stops at the first failure (the database is down again): order is kept, nothing
    is lost. A record that cannot be read at all is moved to spool/unreadable/.
    """
    done = 0
    for path in pending(data_dir):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            target = path.parent / "unreadable"
            target.mkdir(exist_ok=True)
            os.replace(path, target / path.name)
            log.error("spooled file %s is unreadable (%s); moved to %s", path.name, exc, target)
            continue
        store(record)
        path.unlink()
        done += 1
    return done
