"""Orders: a list filtered by status, and complete or cancel after a confirmation step."""
from flask import flash, redirect, render_template, request, url_for

from blueprints.dashboard.web import bp, current_tenant, signed_in_as
from schemas.dashboard import OrderFilterSchema
from services.commerce import orders
from services.errors import NotFound

ORDERS_PER_PAGE = 25
ACTIONS = {"complete": "Complete", "cancel": "Cancel"}


@bp.route("/orders")
@signed_in_as("tenant")
def order_list():
    query = OrderFilterSchema().load(request.args)
    page = orders.list_orders(query.get("status"), ORDERS_PER_PAGE, query["cursor"], False)
    return render_template("dashboard/orders.html", page=page, query=query)


@bp.route("/orders/<order_id>/<action>", methods=["GET", "POST"])
@signed_in_as("tenant")
def order_action(order_id, action):
    """GET asks for confirmation; the form it shows POSTs here and does it."""
    if action not in ACTIONS:
        raise NotFound(f"no action '{action}' on orders")
    if request.method == "GET":
        return render_template("dashboard/confirm.html", order=orders.get_order(order_id), action=action,
                               verb=ACTIONS[action])
    tz = current_tenant().timezone
    if action == "complete":
        order = orders.complete_order(order_id, None, tz)
    else:
        order = orders.cancel_order(order_id, tz)
    flash(f"Order {order['external_order_id']} is {order['status']}.")
    return redirect(url_for("dashboard.order_list"), 303)
