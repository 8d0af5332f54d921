"""Messages the bot sent or received, with their delivery status."""
from flask.views import MethodView

from blueprints.auth import require_tenant
from extensions import Blueprint
from schemas.messages import (
    MessageCreateSchema,
    MessageListQuerySchema,
    MessagePageSchema,
    MessageSchema,
    StatusUpdateSchema,
)
from services.messaging import messages

blp = Blueprint("messages", __name__, url_prefix="/api/v1/messages",
                description="Inbound and outbound messages; status only moves forward.")
blp.before_request(require_tenant)


@blp.route("")
class Messages(MethodView):
    @blp.arguments(MessageCreateSchema)
    @blp.response(201, MessageSchema, description="Stored.")
    @blp.alt_response(200, schema=MessageSchema, description="Already stored under this external_id.")
    def post(self, body):
        """Record a message; the same external_id again returns the stored one."""
        body["from"] = body.pop("sender")
        message, created = messages.record_message(body)
        return message, 201 if created else 200

    @blp.arguments(MessageListQuerySchema, location="query")
    @blp.response(200, MessagePageSchema)
    def get(self, query):
        """List messages, newest first.

        Each filter has an index of its own, led by the tenant and ordered by time:
        `session_id`, `status` and `direction` (and `since`/`until` bound any of them), so a
        page of one filter reads about one page of index entries. Filters combined are
        served by one of those indexes, the others checked on its entries: a rare
        combination over a long history (`status=failed&direction=out&session_id=...`)
        may read many entries per page; add `since`/`until` to narrow it.
        `include_total` counts up to 10,000 (see `total_capped`).
        """
        return messages.list_messages(query, query["limit"], query["cursor"], query["include_total"])


@blp.route("/<message_id>")
class MessageById(MethodView):
    @blp.response(200, MessageSchema)
    def get(self, message_id):
        """One message."""
        return messages.get_message(message_id)

    @blp.arguments(StatusUpdateSchema)
    @blp.response(200, MessageSchema)
    def patch(self, body, message_id):
        """Record a delivery status. A late, lower status goes into status_history only."""
        return messages.update_status(message_id, body["status"], body.get("at"), body.get("error"))


@blp.route("/by-external-id/<path:external_id>")
@blp.response(200, MessageSchema)
def by_external_id(external_id):
    """One message by the gateway's id."""
    return messages.get_by_external_id(external_id)
