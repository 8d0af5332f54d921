"""Messages the bot sent or received, with their delivery status."""
from flask import Response, stream_with_context
from flask.views import MethodView
from werkzeug.routing import BaseConverter

from blueprints.auth import require_tenant
from extensions import Blueprint
from schemas.messages import (
    MessageCreateSchema,
    MessageListQuerySchema,
    MessagePageSchema,
    MessageSchema,
    StatusUpdateSchema,
)
from models.tenancy import current_tenant_id, tenant_scope
from schemas.message_search import (
    CSV_COLUMNS,
    MessageExportQuerySchema,
    MessageSearchQuerySchema,
    csv_header,
    csv_rows,
    export_file_name,
    jsonl_lines,
)
from services import clock
from services.messaging import message_export, message_search, messages

blp = Blueprint("messages", __name__, url_prefix="/api/v1/messages",
                description="Inbound and outbound messages; status only moves forward.")
blp.before_request(require_tenant)


class MessageIdConverter(BaseConverter):
    """A message id: any path segment but the names of this blueprint's own routes, so
    that /messages/search and /messages/export belong to those alone (also for the
    methods an OPTIONS request lists)."""
    regex = r"(?!(?:search|export)$)[^/]+"


blp.record_once(lambda state: state.app.url_map.converters.setdefault("message_id", MessageIdConverter))


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


@blp.route("/search")
@blp.doc(operationId="messages_search")
@blp.arguments(MessageSearchQuerySchema, location="query")
@blp.response(200, MessagePageSchema)
def search(query):
    """Search messages by the words of their text and media caption, newest first.

    Every word of `q` must be in the message (`pedido entreg*`: *pedido* and a word
    starting with *entreg*), whatever the case and accents. Served from an index of
    each message's words: a page costs about the same however many other messages the
    tenant has; its cost grows with the messages holding the query's rarest word. A
    page may hold fewer than `limit` items (even none) while `next_cursor` is set
    (it read its share of the index; follow the cursor to go on); `next_cursor` is
    null at the end. Erased contacts' messages are never found.
    """
    return message_search.search(query["q"], query, query["limit"], query["cursor"])


@blp.route("/export")
@blp.doc(operationId="messages_export", responses={"200": {
    "description": "The messages, oldest first, as an attachment, streamed. If the export fails part way the "
                   "connection is cut without the end of the chunked body: a client sees an error, never a "
                   "complete-looking shorter file (read it over HTTP/1.1).",
    "headers": {"Content-Disposition": {"schema": {"type": "string"},
                                        "example": 'attachment; filename="messages-20261122T101530Z.csv"'}},
    "content": {"application/x-ndjson": {"schema": {"$ref": "#/components/schemas/Message"}},
                "text/csv": {"schema": {"type": "string"}, "example": ",".join(CSV_COLUMNS) + "\r\n"}}}})
@blp.arguments(MessageExportQuerySchema, location="query")
def export(query):
    """Export messages as JSONL or CSV, oldest first, streamed.

    JSONL: one message per line in the API's message shape. CSV: a header row, then
    `id, created_at, session_id, direction, from, to, status, text, media_url,
    external_id`; a cell that would start a spreadsheet formula (`=`, `+`, `-`, `@`, tab,
    CR) gets a leading `'` (JSONL keeps every value exact). Memory stays flat whatever
    the size; one export holds one worker while it streams.
    """
    fmt = query["format"]
    filters = {**query, "conversation_id": query.get("conversation")}
    tenant_id = current_tenant_id()

    def body():
        with tenant_scope(tenant_id):
            if fmt == "csv":
                yield csv_header()
            for batch in message_export.message_batches(filters):
                yield jsonl_lines(batch) if fmt == "jsonl" else csv_rows(batch)

    mimetype = "application/x-ndjson" if fmt == "jsonl" else "text/csv"
    response = Response(stream_with_context(body()), mimetype=mimetype)
    if fmt == "csv":
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{export_file_name(fmt, clock.now_ms())}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/<message_id:message_id>")
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
