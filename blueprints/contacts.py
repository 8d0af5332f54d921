"""Contacts: one end user's data exported, or erased for good (LGPD, GDPR)."""
import json

from flask import Response, current_app, g, url_for
from flask.views import MethodView

from blueprints.auth import require_tenant
from extensions import Blueprint
from schemas.chat_sessions import ChatSessionSchema
from schemas.contacts import ContactExportSchema, ErasureSchema
from schemas.fast_dump import dumper
from schemas.conversations import ConversationSchema
from schemas.fields import phone_or_422
from schemas.messages import MessageSchema
from schemas.orders import OrderSchema
from models.tenancy import tenant_scope
from services import clock, request_ids
from services.messaging import messages
from services.privacy import erasure, export

blp = Blueprint("contacts", __name__, url_prefix="/api/v1/contacts",
                description="One end user's data: exported, or erased for good.")
blp.before_request(require_tenant)
EXPORT_DOC = {"responses": {"200": {"description": "{phone, exported_at, messages, conversations, chat_session, "
                                                   "orders}, streamed: a long history never waits in memory.",
                                    "content": {"application/json": {"schema": ContactExportSchema}}}}}


@blp.route("/<phone>/export", methods=["GET"])
@blp.doc(**EXPORT_DOC)
def export_contact(phone):
    """Everything the tenant holds about this end user, in the API's own shapes."""
    phone = phone_or_422(phone, "phone")
    ttl_hours, tenant_id = g.tenant.chat_session_ttl_hours, g.tenant.id

    def pieces():
        """Runs as the response is sent, after the request and its tenant scope ended; the
        server may resume it in another context each time, so each step sets the scope.
        (Each batch of messages read tells gunicorn the worker is alive: services.privacy.export.)"""
        parts = _export_pieces(phone, ttl_hours)
        while True:
            with tenant_scope(tenant_id):
                part = next(parts, None)
            if part is None:
                return
            yield part

    return Response(pieces(), mimetype="application/json")


def _export_pieces(phone: str, ttl_hours: int):
    conversation_schema, dump_message, order_schema = ConversationSchema(), dumper(MessageSchema()), OrderSchema()
    yield f'{{"phone": {json.dumps(phone)}, "exported_at": {json.dumps(clock.iso(clock.now_ms()))}, "messages": ['
    for number, message in enumerate(export.messages(phone)):
        yield ("," if number else "") + json.dumps(dump_message(message), ensure_ascii=False)
    summaries = export.summaries(phone)
    for summary in summaries:
        summary["last_message"] = messages.get_message(summary["last_message_id"])
    yield '], "conversations": ' + json.dumps(conversation_schema.dump(summaries, many=True), ensure_ascii=False)
    session = export.chat_session(phone, ttl_hours)
    yield ', "chat_session": ' + json.dumps(ChatSessionSchema().dump(session) if session else None,
                                            ensure_ascii=False)
    yield ', "orders": ' + json.dumps(order_schema.dump(export.orders(phone), many=True), ensure_ascii=False)
    yield "}"


@blp.route("/<phone>")
class Contact(MethodView):
    @blp.response(200, ErasureSchema, description="Erased: no endpoint returns this phone or its messages again.")
    @blp.alt_response(202, schema=ErasureSchema, description="Still erasing (a long history): poll the Location; "
                                                             "once done the counts are what a 200 shows.")
    def delete(self, phone):
        """Erase everything the tenant holds about this end user, for good: messages in
        both directions, conversations, the chat session, archived webhook bodies and
        events naming the phone; orders keep amounts and product types but lose the phone;
        statistics do not change. Restores, replays and re-sent old messages do not bring
        it back; messages dated after the erasure are stored as new."""
        phone = phone_or_422(phone, "phone")
        result = erasure.erase(phone, _budget_s(), request_ids.current.get())
        body = {**result, "phone": phone}
        if result["state"] == "done":
            return body
        return body, 202, {"Location": url_for("contacts.erasure_status", erasure_id=result["id"])}


@blp.route("/erasures/<erasure_id>", methods=["GET"])
@blp.response(200, ErasureSchema)
def erasure_status(erasure_id):
    """An erasure's progress and counts."""
    return erasure.get_erasure(erasure_id)


def _budget_s() -> float:
    """What the request may spend erasing: well inside its database deadline."""
    return min(current_app.config["DB_TIMEOUT_MS"] / 1000, 5.0)
