"""The dashboard: server-rendered pages under /dashboard for people, over the same
services as the API. `register(app)` wires it into the app; it is not part of the
OpenAPI document (a plain Flask blueprint, not flask-smorest's)."""
from flask import Flask

from blueprints.dashboard import (conversations, delivery, orders, overview, sales, signin,  # noqa: F401  (routes)
                                  webhooks)
from blueprints.dashboard.web import DashboardSessionInterface, bp
from extensions import csrf


def register(app: Flask) -> None:
    app.config.update({
        "SESSION_COOKIE_NAME": "chatkeep_dashboard", "SESSION_COOKIE_PATH": bp.url_prefix,
        "SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax",
        # Checked by the dashboard's own guard (blueprints.dashboard.web), POSTs only.
        "WTF_CSRF_CHECK_DEFAULT": False,
        # A token lives as long as the sign-in it belongs to (identity.MAX_AGE_S).
        "WTF_CSRF_TIME_LIMIT": None,
    })
    app.session_interface = DashboardSessionInterface()
    csrf.init_app(app)
    app.register_blueprint(bp)
