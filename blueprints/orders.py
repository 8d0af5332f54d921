"""Orders placed through a bot: pending -> completed | cancelled, counted in the stats."""
from flask import g
from flask.views import MethodView

from blueprints.auth import require_tenant
from extensions import Blueprint
from schemas.orders import OrderCompleteSchema, OrderCreateSchema, OrderListQuerySchema, OrderPageSchema, OrderSchema
from services.commerce import orders

blp = Blueprint("orders", __name__, url_prefix="/api/v1/orders",
                description="Orders; amounts are decimal strings (\"19.90\"), never JSON numbers.")
blp.before_request(require_tenant)


@blp.route("")
class Orders(MethodView):
    @blp.arguments(OrderCreateSchema)
    @blp.response(201, OrderSchema, description="Created, status pending.")
    @blp.alt_response(200, schema=OrderSchema, description="Already stored under this external_order_id.")
    def post(self, body):
        """Place an order; the total is computed here. The same external_order_id returns the stored one."""
        order, created = orders.create_order(body, g.tenant.timezone)
        return order, 201 if created else 200

    @blp.arguments(OrderListQuerySchema, location="query")
    @blp.response(200, OrderPageSchema)
    def get(self, query):
        """List orders, newest first."""
        return orders.list_orders(query.get("status"), query["limit"], query["cursor"], query["include_total"])


@blp.route("/<order_id>")
@blp.response(200, OrderSchema)
def get_order(order_id):
    """One order."""
    return orders.get_order(order_id)


@blp.route("/<order_id>/complete", methods=["POST"])
@blp.arguments(OrderCompleteSchema, required=False)
@blp.response(200, OrderSchema)
@blp.alt_response(409, description="The order is cancelled.")
def complete(body, order_id):
    """Complete a pending order (revenue defaults to its total). Completing again changes nothing."""
    return orders.complete_order(order_id, body.get("revenue"), g.tenant.timezone)


@blp.route("/<order_id>/cancel", methods=["POST"])
@blp.response(200, OrderSchema)
@blp.alt_response(409, description="The order is completed.")
def cancel(order_id):
    """Cancel a pending order. Cancelling again changes nothing."""
    return orders.cancel_order(order_id, g.tenant.timezone)
