"""Hourly upkeep, tenant by tenant: what time makes invisible is also removed, order
counts and events cut off earlier are finished, and held messages whose session's
number is now known are released."""
import logging

from services import clock
from services.commerce import chat_sessions, order_counting, sales_stats
from services.events import repair
from services.gateways import webhook_archive
from services.messaging import held_messages, messages
from services.tenancy import tenants

log = logging.getLogger(__name__)


def run_upkeep(config) -> dict:
    removed = {"chat_sessions": 0, "daily_stats": 0, "parked_statuses": 0, "archived_webhooks": 0, "events": 0}
    finished = released = events_made = 0
    for tenant in tenants.each_tenant():
        finished += order_counting.count_leftovers()
        released += held_messages.release_where_known()
        events_made += repair.repair_events()  # after the releases, whose events it may finish
        removed["events"] += repair.prune(config["EVENTS_RETENTION_DAYS"], bool(config.get("KAFKA_BOOTSTRAP_SERVERS")))
        removed["chat_sessions"] += chat_sessions.delete_expired(tenant.chat_session_ttl_hours)
        removed["daily_stats"] += sales_stats.prune_days(tenant.timezone, config["STATS_RETENTION_DAYS"])
        removed["parked_statuses"] += messages.drop_stale_parked(
            clock.now_ms() - config["PARKED_STATUS_DAYS"] * clock.DAY_MS)
        if config["WEBHOOK_ARCHIVE_DAYS"]:
            removed["archived_webhooks"] += webhook_archive.prune(config["WEBHOOK_ARCHIVE_DAYS"])
    log.info("upkeep removed %s; finished %s interrupted order counts; released %s held messages; "
             "made %s events cut off from their changes", removed, finished, released, events_made)
    return removed
