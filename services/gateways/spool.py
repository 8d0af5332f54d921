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

from services.errors import database_unavailable
from services.operations.snapshot_files import fsync_dir
from services.private_files import open_private, private_dir

log = logging.getLogger(__name__)
SET_ASIDE = "set-aside"


def spool_dir(data_dir: str) -> Path:
    return Path(data_dir) / "spool"


def append(data_dir: str, gateway: str, tenant_id: str, body: bytes) -> Path:
    """Durably keep one verified payload; raises OSError when the disk cannot."""
    root = private_dir(spool_dir(data_dir))
    name = f"{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(4)}.json"
    record = {"gateway": gateway, "tenant_id": tenant_id, "received_at_ms": time.time_ns() // 1_000_000,
              "body": body.decode("utf-8")}
    temporary = root / f".{name}.tmp"
    try:
        with open_private(temporary, "w") as handle:
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


def replay(data_dir: str, store, keep_going=lambda: True) -> int:
    """Hand each spooled record to `store(record)` in order, removing it once stored.

    Stops at the first failure that means the database is unreachable again: order is
    kept, nothing is lost. A record that cannot be read, or whose storing fails for any
    other reason, would fail the same way every time and hold back every record behind
    it: it is moved to spool/set-aside/ (logged, counted by chatkeep_spool_set_aside)
    and the replay goes on. Moved back into spool/, it is replayed again. Before each
    record `keep_going()` may stop the replay (the caller lost its lease).
    """
    done = 0
    for path in pending(data_dir):
        if not keep_going():
            break
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue  # replayed meanwhile by another process
        except (OSError, ValueError) as exc:
            _set_aside(path, f"unreadable: {exc}")
            continue
        try:
            store(record)
        except Exception as exc:
            if database_unavailable(exc):
                raise
            _set_aside(path, f"{type(exc).__name__}: {exc}")
            continue
        path.unlink(missing_ok=True)
        done += 1
    return done


def _set_aside(path: Path, why: str) -> None:
    target = private_dir(path.parent / SET_ASIDE)
    try:
        os.replace(path, target / path.name)
    except FileNotFoundError:
        return
    log.error("spooled payload %s could not be stored (%s); kept in %s", path.name, why, target)


def set_aside_count(data_dir: str) -> int:
    root = spool_dir(data_dir) / SET_ASIDE
    return sum(1 for _ in root.glob("*.json")) if root.is_dir() else 0
