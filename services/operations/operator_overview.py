"""What the operator's dashboard shows: each tenant's counts, snapshots, spool health.

Counts come from what is already kept per tenant (conversation summaries, sales
totals, sessions), a fixed number of queries for a page of tenants however many
messages or orders they hold: one aggregation per collection, never one query per tenant.
"""
from models import Conversation, GatewaySession, SalesTotal
from models.collections import GlobalCollection
from services.gateways import spool
from services.operations import snapshots

NEWEST_SNAPSHOTS = 10


def counts_by_tenant(tenant_ids: list[str]) -> dict[str, dict]:
    """{tenant_id: {conversations, messages, unread, sessions, orders, completed, revenue}}."""
    if not tenant_ids:
        return {}
    conversations = GlobalCollection(Conversation).sums_by_tenant(tenant_ids, ("message_count", "unread_count"))
    sessions = GlobalCollection(GatewaySession).sums_by_tenant(tenant_ids)
    totals = {doc["tenant_id"]: doc for doc in GlobalCollection(SalesTotal).find(
        {"tenant_id": {"$in": list(tenant_ids)}}, projection={"tenant_id": 1, "orders": 1, "completed": 1,
                                                             "revenue": 1})}
    counts = {}
    for tenant_id in tenant_ids:
        summary = conversations.get(tenant_id, {})
        sales = totals.get(tenant_id, {})
        counts[tenant_id] = {
            "conversations": summary.get("count", 0), "messages": summary.get("message_count", 0),
            "unread": summary.get("unread_count", 0), "sessions": sessions.get(tenant_id, {}).get("count", 0),
            "orders": sales.get("orders", 0), "completed": sales.get("completed", 0),
            "revenue": sales.get("revenue", 0)}
    return counts


def spool_health(data_dir: str) -> dict:
    """Webhook payloads waiting on disk for the database, from the files (no database)."""
    depth, age = spool.depth_and_age(data_dir)
    return {"depth": depth, "oldest_age_s": age, "set_aside": spool.set_aside_count(data_dir)}


def newest_snapshots(data_dir: str, limit: int = NEWEST_SNAPSHOTS) -> list[dict]:
    """The newest kept generations' manifests, newest first (an unreadable one says so)."""
    shown = []
    for generation in snapshots.generations(data_dir)[:limit]:
        try:
            manifest = snapshots.read_manifest(generation)
        except (OSError, ValueError):
            manifest = {"generation": generation.name, "unreadable": True}
        files = manifest.get("files") or {}
        shown.append({"generation": manifest.get("generation", generation.name), "trigger": manifest.get("trigger"),
                      "created_at": manifest.get("created_at"), "unreadable": manifest.get("unreadable", False),
                      "records": sum(entry.get("records", 0) for entry in files.values())})
    return shown
