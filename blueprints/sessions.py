"""Gateway sessions (WhatsApp instances) of the calling tenant."""
from flask.views import MethodView
from marshmallow import ValidationError

from blueprints.auth import require_tenant
from extensions import Blueprint
from schemas.sessions import SESSION_ID, SessionListQuerySchema, SessionPageSchema, SessionPutSchema, SessionSchema
from services.messaging import gateway_sessions

blp = Blueprint("sessions", __name__, url_prefix="/api/v1/sessions",
                description="Gateway sessions: one per WhatsApp instance.")
blp.before_request(require_tenant)


@blp.route("")
class Sessions(MethodView):
    @blp.arguments(SessionListQuerySchema, location="query")
    @blp.response(200, SessionPageSchema)
    def get(self, query):
        """List sessions by session_id, optionally only those with one status."""
        return gateway_sessions.list_sessions(query.get("status"), query["limit"], query["cursor"],
                                              query["include_total"])


@blp.route("/<session_id>")
class SessionById(MethodView):
    @blp.arguments(SessionPutSchema)
    @blp.response(200, SessionSchema, description="Updated.")
    @blp.alt_response(201, schema=SessionSchema, description="Created.")
    def put(self, body, session_id):
        """Create or update a session."""
        _check_session_id(session_id)
        session, created = gateway_sessions.upsert_session(session_id, body["status"],
                                                           body.get("phone_number"))
        return session, 201 if created else 200

    @blp.response(200, SessionSchema)
    def get(self, session_id):
        """One session."""
        return gateway_sessions.get_session(session_id)

    @blp.response(204)
    def delete(self, session_id):
        """Delete a session (its messages stay)."""
        gateway_sessions.delete_session(session_id)


def _check_session_id(session_id: str) -> None:
    try:
        SESSION_ID(session_id)
    except ValidationError as exc:
        raise ValidationError({"session_id": exc.messages}) from None
