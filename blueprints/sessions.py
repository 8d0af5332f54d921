"""Gateway sessions (WhatsApp instances) of the calling tenant."""
from flask import current_app
from flask.views import MethodView
from marshmallow import ValidationError

from blueprints.auth import require_tenant
from extensions import Blueprint
from schemas.problem import PROBLEM_JSON, ProblemSchema
from schemas.sessions import (SESSION_ID, GatewayLinkPutSchema, GatewayLinkSchema, SessionListQuerySchema,
                              SessionPageSchema, SessionPutSchema, SessionSchema)
from services.gateways import session_link
from services.messaging import gateway_sessions
from services.operations import heartbeat
from services.outbound import OutboundRefused, check_url

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


@blp.route("/<session_id>/gateway")
class SessionGateway(MethodView):
    @blp.arguments(GatewayLinkPutSchema)
    @blp.response(200, GatewayLinkSchema)
    def put(self, body, session_id):
        """Link the session to its gateway (Evolution API, WAHA or the Cloud API) so ChatKeep
        can ask it how the session is. The API key is stored encrypted and never returned."""
        _check_outbound(body)
        return session_link.set_link(session_id, body["kind"], body.get("base_url"), body["api_key"],
                                     body.get("instance"))

    @blp.response(200, GatewayLinkSchema)
    def get(self, session_id):
        """The session's gateway link (without its key) and how its last sync went."""
        return session_link.get_link(session_id)

    @blp.response(204)
    def delete(self, session_id):
        """Unlink the session from its gateway (the session stays)."""
        session_link.remove_link(session_id)


@blp.route("/<session_id>/sync", methods=["POST"])
@blp.response(200, SessionSchema)
@blp.alt_response(502, schema=ProblemSchema, content_type=PROBLEM_JSON,
                  description="The gateway is unreachable, slower than GATEWAY_TIMEOUT_S or refusing; the "
                              "session keeps its status and the link records last_sync_error.")
def sync_session(session_id):
    """Ask the linked gateway how the session is now, and record it."""
    return session_link.sync(session_id, _while_answering(current_app.config["GATEWAY_TIMEOUT_S"]),
                             current_app.config["OUTBOUND_ALLOW_PRIVATE"])


def _while_answering(timeout_s: float) -> float:
    """GATEWAY_TIMEOUT_S (up to 60 s) for a call a request waits for: cut to end before
    gunicorn kills the worker (heartbeat.WORKER_TIMEOUT_S), so the client gets its 502, not a
    reset. The scheduled syncs, in no request, take the whole setting."""
    return min(timeout_s, heartbeat.REQUEST_CALL_LIMIT_S)


def _check_outbound(body: dict) -> None:
    """The URL's form, and the addresses its host resolves to now (services.outbound)."""
    url = body.get("base_url")
    if url is None:
        return
    try:
        check_url(url, current_app.config["OUTBOUND_ALLOW_PRIVATE"],
                  _while_answering(current_app.config["GATEWAY_TIMEOUT_S"]))
    except OutboundRefused as exc:
        raise ValidationError({"base_url": [f"The URL {exc}."]}) from None


def _check_session_id(session_id: str) -> None:
    try:
        SESSION_ID(session_id)
    except ValidationError as exc:
        raise ValidationError({"session_id": exc.messages}) from None
