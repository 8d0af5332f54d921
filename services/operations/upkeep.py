"""Hourly upkeep, tenant by tenant: what time makes invisible is also removed, order
counts and events cut off earlier are finished, and held messages whose session's
number is now known are released. A tenant whose upkeep fails is logged and counted
(chatkeep_upkeep_failures_total), and the others still get theirs."""
import logging

from services import clock
from services.commerce import chat_sessions, order_counting, sales_stats
from services.events import endpoints, repair
from services.gateways import webhook_archive
from services.messaging import held_messages, messages, search_index
from services.operations import metrics
from services.privacy import retention
from services.tenancy import tenants

RETENTION_BUDGET_S = 20  # per tenant and upkeep: a tenant with millions to delete goes on next hour
# Messages stored before search existed get their terms a slice per hour (a done tenant costs one read);
# `flask --app app messages index-terms` does all at once.
SEARCH_BACKFILL_BUDGET_S = 20

log = logging.getLogger(__name__)


def run_upkeep(config) -> dict:
    removed = {"messages": 0, "chat_sessions": 0, "daily_stats": 0, "parked_statuses": 0, "archived_webhooks": 0,
               "events": 0, "webhook_deliveries": 0}
    done = {"finished": 0, "released": 0, "events_made": 0, "failed": 0, "indexed_for_search": 0}
    for tenant in tenants.each_tenant():
        try:
            _tenant_upkeep(tenant, config, removed, done)
        except Exception:  # noqa: BLE001 - whatever broke one tenant must not stop the others
            done["failed"] += 1
            metrics.UPKEEP_FAILURES.inc()
            log.exception("upkeep failed for tenant %s; going on with the others", tenant.slug)
    if any(removed.values()) or any(done.values()):  # an hour that needed nothing logs nothing
        log.info("upkeep removed %s; finished %s interrupted order counts; released %s held messages; "
                 "made %s events cut off from their changes; indexed %s older messages for search; "
                 "failed for %s tenants", removed, done["finished"], done["released"], done["events_made"],
                 done["indexed_for_search"], done["failed"])
    return removed


def _tenant_upkeep(tenant, config, removed: dict, done: dict) -> None:
    done["finished"] += order_counting.count_leftovers()
    done["released"] += held_messages.release_where_known()
    done["events_made"] += repair.repair_events()  # after the releases, whose events it may finish
    removed["events"] += repair.prune(config["EVENTS_RETENTION_DAYS"], bool(config.get("KAFKA_BOOTSTRAP_SERVERS")))
    removed["chat_sessions"] += chat_sessions.delete_expired(tenant.chat_session_ttl_hours)
    removed["messages"] += retention.delete_expired_messages(tenant.message_retention_days, RETENTION_BUDGET_S)
    done["indexed_for_search"] += search_index.backfill(SEARCH_BACKFILL_BUDGET_S)["messages"]
    removed["daily_stats"] += sales_stats.prune_days(tenant.timezone, config["STATS_RETENTION_DAYS"])
    removed["parked_statuses"] += messages.drop_stale_parked(
        clock.now_ms() - config["PARKED_STATUS_DAYS"] * clock.DAY_MS)
    removed["webhook_deliveries"] += endpoints.prune_deliveries(config["WEBHOOK_LOG_RETENTION_DAYS"],
                                                                config["EVENTS_RETENTION_DAYS"])
    if config["WEBHOOK_ARCHIVE_DAYS"]:
        removed["archived_webhooks"] += webhook_archive.prune(config["WEBHOOK_ARCHIVE_DAYS"])
