"""The few direct calls the harness makes itself (setup and counters, never timed load)."""
import json
import re
import urllib.error
import urllib.request

from bench.procs import ADMIN_TOKEN

METRIC_LINE = re.compile(r'^chatkeep_db_commands_total\{command="([^"]+)",origin="([^"]+)"\}\s+([0-9.eE+]+)$',
                         re.M)


def _call(method: str, url: str, body=None, headers=None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def create_tenant(url: str, slug: str) -> dict:
    """POST /api/v1/admin/tenants; returns slug, api_key and webhook_token."""
    status, raw = _call("POST", f"{url}/api/v1/admin/tenants", {"slug": slug, "name": slug.title()},
                        {"Authorization": f"Bearer {ADMIN_TOKEN}"})
    if status != 201:
        raise RuntimeError(f"creating tenant {slug}: {status} {raw[:300]!r}")
    body = json.loads(raw)
    return {"slug": slug, "api_key": body["api_key"], "webhook_token": body["webhook_token"]}


def db_commands(url: str, origin: str = "request") -> dict[str, float]:
    """chatkeep_db_commands_total by command for one origin ("request": what HTTP
    requests caused; "background": scheduler jobs, the tenant watcher), from /metrics."""
    status, raw = _call("GET", f"{url}/metrics")
    if status != 200:
        raise RuntimeError(f"/metrics answered {status}")
    counts: dict[str, float] = {}
    for command, command_origin, value in METRIC_LINE.findall(raw.decode()):
        if command_origin == origin:
            counts[command] = counts.get(command, 0.0) + float(value)
    return counts


def delta(before: dict, after: dict) -> dict[str, float]:
    return {k: after.get(k, 0.0) - before.get(k, 0.0) for k in sorted(set(before) | set(after))
            if after.get(k, 0.0) != before.get(k, 0.0)}


def webhook_path(tenant: dict) -> str:
    return f"/webhooks/evolution/{tenant['slug']}?token={tenant['webhook_token']}"


def auth(tenant: dict) -> dict:
    return {"Authorization": f"Bearer {tenant['api_key']}"}
