"""Sales statistics of the calling tenant, by day in the tenant's time zone."""
from flask import current_app, g

from blueprints.auth import require_tenant
from extensions import Blueprint
from schemas.stats import StatsQuerySchema, StatsSchema
from services.commerce import sales_stats

blp = Blueprint("stats", __name__, url_prefix="/api/v1/stats",
                description="Sales statistics: all-time totals and daily figures.")
blp.before_request(require_tenant)


@blp.route("")
@blp.arguments(StatsQuerySchema, location="query")
@blp.response(200, StatsSchema)
def stats(query):
    """Totals (all-time) and one entry per day of ?from..?to (YYYY-MM-DD, within retention)."""
    return sales_stats.read_stats(g.tenant.timezone, current_app.config["STATS_RETENTION_DAYS"],
                                  query.get("first"), query.get("last"))
