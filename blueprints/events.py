"""The event feed: every stored change, once, oldest first."""
from flask import g

from blueprints.auth import require_tenant
from extensions import Blueprint
from schemas.events import EventPageSchema, EventQuerySchema, envelope
from services.events import feed

blp = Blueprint("events", __name__, url_prefix="/api/v1/events",
                description="Every stored change as a CloudEvents 1.0 event; poll with `after`=`next_cursor`.")
blp.before_request(require_tenant)


@blp.route("")
@blp.arguments(EventQuerySchema, location="query")
@blp.response(200, EventPageSchema)
def list_events(query):
    """Events oldest first. A consumer that keeps polling with `next_cursor` sees every event
    exactly once, one subject's in the order they happened, each a few seconds after its
    change (DB_TIMEOUT_MS + EVENTS_CLOCK_SKEW_MS: no write can still commit an older one)."""
    page = feed.read_feed(query["after"], query["type"], query["limit"])
    return {"items": [envelope(event, g.tenant.slug) for event in page["items"]], "next_cursor": page["next_cursor"]}
