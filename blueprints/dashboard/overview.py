"""The first page after signing in: the tenant's overview, or the operator's view of
every tenant. Each is a fixed number of queries, whatever the data holds."""
from datetime import date

from flask import current_app, g, redirect, render_template, request, url_for

from blueprints.dashboard.web import bp, current_tenant, signed_in_as
from schemas.dashboard import CursorQuerySchema
from services import clock
from services.commerce import sales_stats
from services.messaging import conversations, gateway_sessions, messages
from services.operations import operator_overview
from services.tenancy import tenants

SESSIONS_SHOWN = 50
TENANTS_PER_PAGE = 50


@bp.route("")
def home():
    who = g.dashboard
    if who is None:
        return redirect(url_for("dashboard.sign_in"), 303)
    return tenant_overview() if who[0] == "tenant" else operator_view()


@signed_in_as("tenant")
def tenant_overview():
    tz = current_tenant().timezone
    now = clock.now_ms()
    today = date.fromisoformat(clock.local_day(now, tz))
    sales = sales_stats.read_stats(tz, current_app.config["STATS_RETENTION_DAYS"], today, today)
    return render_template(
        "dashboard/overview.html",
        sessions=gateway_sessions.list_sessions(None, SESSIONS_SHOWN, None, False)["items"],
        messages_today=messages.count_since(clock.local_day_start_ms(now, tz)),
        unread_conversations=conversations.count_unread(),
        today=sales["daily"][0] if sales["daily"] else None, totals=sales["totals"],
        spool=operator_overview.spool_health(current_app.config["DATA_DIR"]))


@signed_in_as("admin")
def operator_view():
    cursor = CursorQuerySchema().load(request.args)["cursor"]
    page = tenants.list_tenants(TENANTS_PER_PAGE, cursor, False)
    data_dir = current_app.config["DATA_DIR"]
    return render_template(
        "dashboard/operator.html", tenants=page["items"], next_cursor=page["next_cursor"],
        counts=operator_overview.counts_by_tenant([t.id for t in page["items"]]),
        snapshots=operator_overview.newest_snapshots(data_dir), spool=operator_overview.spool_health(data_dir))
