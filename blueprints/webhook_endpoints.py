"""Webhook endpoints of the calling tenant: every event pushed to its own URLs, signed."""
from flask import current_app, request
from flask.views import MethodView
from marshmallow import ValidationError

from blueprints.auth import require_tenant
from extensions import Blueprint
from schemas.pagination import PageQuerySchema
from schemas.webhook_endpoints import (AttemptPageSchema, EndpointCreateSchema, EndpointPageSchema,
                                       EndpointPatchSchema, EndpointSchema, EndpointWithSecretSchema)
from services.events import endpoints, webhook_wake
from services.outbound import OutboundRefused, check_url

blp = Blueprint("webhook_endpoints", __name__, url_prefix="/api/v1/webhook-endpoints",
                description="Webhook endpoints: each event POSTed to the tenant's URLs, signed with "
                            "ChatKeep-Signature (t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>), "
                            "retried with doubling delays for up to 3 days.")
blp.before_request(require_tenant)


@blp.after_request
def _wake_the_deliverer(response):
    """A committed change of endpoints: this host's deliverer reads them again now (writes
    of events wake it themselves: services.events.doorbell)."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and response.status_code < 300:
        webhook_wake.nudge(webhook_wake.ENDPOINTS)
    return response


@blp.route("")
class Endpoints(MethodView):
    @blp.arguments(EndpointCreateSchema)
    @blp.response(201, EndpointWithSecretSchema)
    def post(self, body):
        """Add an endpoint; its `secret` is shown only now. A tenant has at most
        WEBHOOK_ENDPOINTS_MAX (default 20): one more is 422."""
        most = current_app.config["WEBHOOK_ENDPOINTS_MAX"]
        if endpoints.count_endpoints() >= most:
            raise ValidationError({"url": [f"This tenant has {most} webhook endpoints, the most allowed "
                                           "(WEBHOOK_ENDPOINTS_MAX): delete one first."]})
        _check_url(body["url"])
        return endpoints.create_endpoint(body["url"], body.get("types") or [], body.get("description"))

    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, EndpointPageSchema)
    def get(self, query):
        """The tenant's endpoints, newest first."""
        return endpoints.list_endpoints(query["limit"], query["cursor"], query["include_total"])


@blp.route("/<endpoint_id>")
class EndpointById(MethodView):
    @blp.response(200, EndpointSchema)
    def get(self, endpoint_id):
        """One endpoint (never its secret)."""
        return endpoints.public(endpoints.get_endpoint(endpoint_id))

    @blp.arguments(EndpointPatchSchema)
    @blp.response(200, EndpointSchema)
    def patch(self, body, endpoint_id):
        """Change the URL, types, description, or enable/disable it."""
        if "url" in body:
            _check_url(body["url"])
        return endpoints.update_endpoint(endpoint_id, body)

    @blp.response(204)
    def delete(self, endpoint_id):
        """Remove the endpoint with its pending deliveries and its delivery log."""
        endpoints.delete_endpoint(endpoint_id)


@blp.route("/<endpoint_id>/rotate-secret", methods=["POST"])
@blp.response(200, EndpointWithSecretSchema)
def rotate_secret(endpoint_id):
    """A new signing secret, shown only now; the old one stops signing at once."""
    return endpoints.rotate_secret(endpoint_id)


@blp.route("/<endpoint_id>/deliveries", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, AttemptPageSchema)
def deliveries(query, endpoint_id):
    """The delivery log, newest attempt first."""
    return endpoints.delivery_log(endpoint_id, query["limit"], query["cursor"])


def _check_url(url: str) -> None:
    try:
        check_url(url, current_app.config["OUTBOUND_ALLOW_PRIVATE"], current_app.config["WEBHOOK_TIMEOUT_S"])
    except OutboundRefused as exc:
        raise ValidationError({"url": [f"The URL {exc}."]}) from None
