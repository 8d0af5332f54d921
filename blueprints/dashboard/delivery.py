"""Delivery: how outbound messages were delivered and read, per day of the last 7, 30 or
90, drawn as inline SVG, and failures by session (services.analytics)."""
from datetime import timedelta

from flask import render_template, request

from blueprints.dashboard.chart import bar_chart
from blueprints.dashboard.web import bp, current_tenant, signed_in_as
from schemas.dashboard import DeliveryQuerySchema
from services.analytics import reports


def percent(value: int) -> str:
    return f"{value} %"


def duration(seconds: float | None) -> str:
    """A time in the unit a person reads best."""
    if seconds is None:
        return "—"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"


def _bars(day: dict) -> dict:
    def share(rate):
        return 0 if rate is None else round(rate * 100)
    return {"date": day["date"], "delivered": share(day["delivery_rate"]), "read": share(day["read_rate"]),
            "time_to_read": round(day["time_to_read_p50_s"] or 0)}


@bp.route("/delivery")
@signed_in_as("tenant")
def delivery():
    days = DeliveryQuerySchema().load(request.args)["days"]
    tz = current_tenant().timezone
    last = reports.today(tz)
    first = last - timedelta(days=days - 1)
    computed = reports.computed_days(tz, first, last)  # once, for the figures and the sessions
    report = reports.report("delivery", tz, first, last, computed=computed)
    rows = [_bars(day) for day in report["daily"]]
    quiet = {day["date"] for day in report["daily"] if not day["outbound"]}
    return render_template(
        "dashboard/delivery.html", days=days, report=report, quiet=quiet, duration=duration,
        sessions=reports.delivery_by_session(computed),
        delivered_chart=bar_chart(rows, "delivered", percent), read_chart=bar_chart(rows, "read", percent),
        read_time_chart=bar_chart(rows, "time_to_read", duration))
