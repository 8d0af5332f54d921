"""Hourly upkeep, tenant by tenant: what time makes invisible is also removed, order
counts cut off earlier are finished, and held messages whose session's number is now
known are released."""
import logging

from services import clock
from services.commerce import chat_sessions, order_counting, sales_stats
from services.gateways import webhook_archive
from services.messaging import held_messages, messages
from services.privacy import retention
from services.tenancy import tenants

RETENTION_BUDGET_S = 20  # per tenant and upkeep: a tenant with millions to delete goes on next hour

log = logging.getLogger(__name__)


def run_upkeep(config) -> dict:
    removed = {"messages": 0, "chat_sessions": 0, "daily_stats": 0, "parked_statuses": 0, "archived_webhooks": 0}
    finished = released = 0
    for tenant in tenants.each_tenant():
        finished += order_counting.count_leftovers()
        released += held_messages.release_where_known()
        removed["chat_sessions"] += chat_sessions.delete_expired(tenant.chat_session_ttl_hours)
        removed["messages"] += retention.delete_expired_messages(tenant.message_retention_days,
                                                                 RETENTION_BUDGET_S)
        removed["daily_stats"] += sales_stats.prune_days(tenant.timezone, config["STATS_RETENTION_DAYS"])
        removed["parked_statuses"] += messages.drop_stale_parked(
            clock.now_ms() - config["PARKED_STATUS_DAYS"] * clock.DAY_MS)
        if config["WEBHOOK_ARCHIVE_DAYS"]:
            removed["archived_webhooks"] += webhook_archive.prune(config["WEBHOOK_ARCHIVE_DAYS"])
    log.info("upkeep removed %s; finished %s interrupted order counts; released %s held messages",
             removed, finished, released)
    return removed
