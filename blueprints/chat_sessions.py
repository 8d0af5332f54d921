"""Chat sessions: a bot's state per end user, expiring after the tenant's TTL."""
from flask import g
from flask.views import MethodView

from blueprints.auth import require_tenant
from extensions import Blueprint
from schemas.chat_sessions import (
    ChatSessionListQuerySchema,
    ChatSessionPageSchema,
    ChatSessionPutSchema,
    ChatSessionSchema,
)
from schemas.fields import phone_or_422
from services.commerce import chat_sessions

blp = Blueprint("chat_sessions", __name__, url_prefix="/api/v1/chat-sessions",
                description="Bot state per end user (<phone> in any accepted form). A session expires "
                            "chat_session_ttl_hours after its last_activity and is then gone for every read.")
blp.before_request(require_tenant)


def _ttl_hours() -> int:
    # Read from the tenant loaded for this request, so a TTL change applies at once.
    return g.tenant.chat_session_ttl_hours


@blp.route("")
@blp.arguments(ChatSessionListQuerySchema, location="query")
@blp.response(200, ChatSessionPageSchema)
def list_chat_sessions(query):
    """The active sessions, by phone."""
    return chat_sessions.list_sessions(_ttl_hours(), query["limit"], query["cursor"], query["include_total"])


@blp.route("/<phone>")
class ChatSessionByPhone(MethodView):
    @blp.arguments(ChatSessionPutSchema)
    @blp.response(200, ChatSessionSchema, description="Updated.")
    @blp.alt_response(201, schema=ChatSessionSchema, description="Created (or an expired one replaced).")
    def put(self, body, phone):
        """Save the state; it replaces the previous one."""
        session, created = chat_sessions.put_session(phone_or_422(phone, "phone"), body["state"],
                                                     body.get("last_activity"), _ttl_hours())
        return session, 201 if created else 200

    @blp.response(200, ChatSessionSchema)
    def get(self, phone):
        """One active session; 404 once it has expired."""
        return chat_sessions.get_session(phone_or_422(phone, "phone"), _ttl_hours())

    @blp.response(204)
    def delete(self, phone):
        """Forget the session."""
        chat_sessions.delete_session(phone_or_422(phone, "phone"), _ttl_hours())
