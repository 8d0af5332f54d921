"""Facts about the machine and software a result was measured on (latest.json "meta")."""
import os
import platform
import re
from importlib import metadata
from pathlib import Path

PACKAGES = ("gunicorn", "pymongo", "nx-27017", "Flask", "mongoengine")


def _proc_value(path: str, pattern: str) -> str | None:
    try:
        match = re.search(pattern, Path(path).read_text(), re.M)
    except OSError:
        return None
    return match.group(1).strip() if match else None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def facts() -> dict:
    mem_kb = _proc_value("/proc/meminfo", r"^MemTotal:\s+(\d+)")
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "memory_gib": round(int(mem_kb) / 1048576, 1) if mem_kb else None,
        "cpu_model": _proc_value("/proc/cpuinfo", r"^model name\s*:\s*(.+)$"),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": {name: _version(name) for name in PACKAGES},
    }
