"""Sales: daily orders and revenue for the last 30 or 90 days, drawn as inline SVG."""
from datetime import date, timedelta

from flask import current_app, render_template, request

from blueprints.dashboard.chart import bar_chart
from blueprints.dashboard.web import bp, current_tenant, signed_in_as
from schemas.dashboard import SalesQuerySchema
from services import clock
from services.commerce import sales_stats
from services.money import to_text


@bp.route("/sales")
@signed_in_as("tenant")
def sales():
    days = SalesQuerySchema().load(request.args)["days"]
    tz = current_tenant().timezone
    today = date.fromisoformat(clock.local_day(clock.now_ms(), tz))
    stats = sales_stats.read_stats(tz, current_app.config["STATS_RETENTION_DAYS"], today - timedelta(days=days - 1),
                                   today)
    daily = stats["daily"]
    return render_template(
        "dashboard/sales.html", days=days, stats=stats,
        period={name: sum(day[name] for day in daily) for name in ("orders", "completed", "cancelled", "revenue")},
        orders_chart=bar_chart(daily, "orders", str),
        revenue_chart=bar_chart(daily, "revenue", to_text))
