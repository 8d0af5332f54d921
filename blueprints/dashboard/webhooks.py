"""Webhook endpoints: where the tenant's events go, and how their latest deliveries went."""
from flask import render_template

from blueprints.dashboard.web import bp, signed_in_as
from services.events import endpoints

ENDPOINTS_SHOWN = 50
ATTEMPTS_SHOWN = 100  # newest attempts across the page's endpoints (one query)


@bp.route("/webhooks")
@signed_in_as("tenant")
def webhook_endpoints():
    page = endpoints.list_endpoints(ENDPOINTS_SHOWN, None, False)
    attempts = endpoints.recent_attempts([e["id"] for e in page["items"]], ATTEMPTS_SHOWN)
    return render_template("dashboard/webhooks.html", endpoints=page["items"], attempts=attempts)
