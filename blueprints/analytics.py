"""Delivery and conversation figures per tenant-local day (services.analytics)."""
from flask import g

from blueprints.auth import require_tenant
from extensions import Blueprint
from schemas.analytics import AnalyticsQuerySchema, ConversationReportSchema, DeliveryReportSchema, check_range
from services.analytics import reports

blp = Blueprint("analytics", __name__, url_prefix="/api/v1/analytics",
                description="How messages are delivered and answered, per day in the tenant's time zone.")
blp.before_request(require_tenant)


def _report(kind: str, query: dict) -> dict:
    tz = g.tenant.timezone
    first, last = reports.default_range(tz, query.get("first"), query.get("last"))
    check_range(first, last)
    return reports.report(kind, tz, first, last, query.get("session_id"))


@blp.route("/delivery")
@blp.doc(operationId="analytics_delivery")
@blp.arguments(AnalyticsQuerySchema, location="query")
@blp.response(200, DeliveryReportSchema)
def delivery(query):
    """Outbound messages per day: how many were sent, delivered, read and failed, and how fast."""
    return _report("delivery", query)


@blp.route("/conversations")
@blp.doc(operationId="analytics_conversations")
@blp.arguments(AnalyticsQuerySchema, location="query")
@blp.response(200, ConversationReportSchema)
def conversations(query):
    """Inbound and outbound messages, active and new contacts, and response times per day."""
    return _report("conversations", query)
