"""Writing and reading snapshot files: streamed, checksummed, atomically renamed.

Each file is written to a temporary name in its final directory, flushed, fsynced and
renamed, so a reader sees a whole file or none. Records are MongoDB extended JSON
(relaxed), one per line: gzip-compressed JSON Lines for the bulk of the store, and
plain JSON arrays with one record per line for the files people read by hand.
"""
import gzip
import hashlib
import os
from pathlib import Path

from bson import json_util

from services.private_files import open_private

JSON_OPTIONS = json_util.RELAXED_JSON_OPTIONS


class _Hashing:
    """A binary file that also hashes and counts what passes through it."""

    def __init__(self, handle):
        self._handle = handle
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def write(self, data) -> int:
        self.sha256.update(data)
        self.bytes += len(data)
        return self._handle.write(data)

    def flush(self):
        self._handle.flush()


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def encode(document: dict) -> str:
    return json_util.dumps(document, json_options=JSON_OPTIONS, ensure_ascii=False)


def write_records(directory: Path, name: str, records) -> dict:
    """Stream `records` into `directory/name`; returns its sha256, record and byte counts."""
    final, temporary = directory / name, directory / f".{name}.tmp"
    count = 0
    with open_private(temporary, "wb") as raw:
        hashing = _Hashing(raw)
        if name.endswith(".jsonl.gz"):
            with gzip.GzipFile(fileobj=hashing, mode="wb", mtime=0) as out:
                for record in records:
                    out.write(encode(record).encode() + b"\n")
                    count += 1
        else:
            hashing.write(b"[\n")
            for record in records:
                hashing.write((",\n" if count else "").encode() + encode(record).encode())
                count += 1
            hashing.write(b"\n]\n")
        hashing.flush()
        os.fsync(raw.fileno())
    os.replace(temporary, final)
    return {"sha256": hashing.sha256.hexdigest(), "records": count, "bytes": hashing.bytes}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_records(path: Path):
    """Yield the records of a file written by write_records, one at a time."""
    if path.name.endswith(".jsonl.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield json_util.loads(line, json_options=JSON_OPTIONS)
        return
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip().rstrip(",")
            if line not in ("", "[", "]"):
                yield json_util.loads(line, json_options=JSON_OPTIONS)
