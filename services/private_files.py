"""Files and directories under DATA_DIR are their owner's only: 0600 files, 0700 directories.

They hold what must not leak to other users of the host: snapshots (every message),
spooled webhook bodies, tenants' verification data, the secret key, the embedded
database. Every place that creates one goes through here, with explicit modes, so
the outcome does not depend on the umask a process was started with. What third
parties create (the embedded database server's files, prometheus-client's files) is
covered by PRIVATE_UMASK: the gunicorn master sets it before it forks anything, and
the database server is started with it.
"""
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700
_FLAGS = {"w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC, "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND}


def restrict_umask() -> None:
    """For a process entry point: whatever this process and its children create is private."""
    os.umask(PRIVATE_UMASK)


def private_dir(path, exist_ok: bool = True) -> Path:
    """Create `path` and any missing parent as 0700 directories (mkdir -p would make the
    parents 0777 minus the umask). `path` itself, one of ChatKeep's own, is made 0700
    if it exists already (written by an older version); existing parents, such as an
    operator's DATA_DIR, are left as they are."""
    path = Path(path)
    missing = []
    for level in (path, *path.parents):
        if level.exists():
            break
        missing.append(level)
    if not missing and not exist_ok:
        raise FileExistsError(f"{path} exists")
    for level in reversed(missing):
        try:
            level.mkdir(mode=DIR_MODE)
        except FileExistsError:  # made meanwhile by another process
            if level == path and not exist_ok:
                raise
    if path.stat().st_mode & 0o777 != DIR_MODE:
        os.chmod(path, DIR_MODE)
    return path


def open_private(path, mode: str = "w", encoding: str | None = None):
    """open() for writing ("w", "a", "wb", "ab"), the file 0600 whether new or not."""
    fd = os.open(path, _FLAGS[mode.replace("b", "")] | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode, encoding=None if "b" in mode else encoding or "utf-8")
    except BaseException:
        os.close(fd)
        raise


def write_private_text(path, text: str) -> None:
    with open_private(path, "w") as handle:
        handle.write(text)


# What ChatKeep keeps under DATA_DIR (an operator may keep other things there).
OWN_ENTRIES = ("snapshots", "spool", "tenant-cache", "db", "metrics", "db.json", "db.lock", "nx-27017.pid",
               "nx-27017.log", "secret.key")


def close_existing(data_dir) -> int:
    """At start-up: make private what an older version left open (0644 snapshots, a
    0755 spool). Returns how many modes were changed."""
    changed = 0
    for name in OWN_ENTRIES:
        top = Path(data_dir) / name
        paths = [top, *top.rglob("*")] if top.is_dir() else [top] if top.is_file() else []
        for path in paths:
            if path.is_symlink():
                continue
            wanted = DIR_MODE if path.is_dir() else FILE_MODE
            try:
                if path.stat().st_mode & 0o777 != wanted:
                    os.chmod(path, wanted)
                    changed += 1
            except OSError as exc:  # another user's file: say so, but start
                log.warning("could not make %s private: %s", path, exc)
    return changed
