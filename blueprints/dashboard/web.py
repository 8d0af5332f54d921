"""The dashboard blueprint: its guard (secret key, CSRF, who is signed in), the
security headers of its pages, its error pages and its template helpers."""
import logging
from datetime import datetime
from functools import wraps
from zoneinfo import ZoneInfo

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError

from blueprints.auth import scope_to
from blueprints.dashboard import identity
from extensions import csrf
from models.message import STATUS_OF_RANK
from schemas.problem import problem
from services.errors import ServiceError
from services.money import to_text
from services.pagination import InvalidCursor

log = logging.getLogger(__name__)
bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates",
               static_folder="static")
# Everything a page loads comes from this origin: no CDN, no inline script or style.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
TICKS = {"pending": "○", "sent": "✓", "delivered": "✓✓", "read": "✓✓", "played": "✓✓", "failed": "!"}


class DashboardSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, opened only under /dashboard (the API never
    reads a cookie), and Secure whenever the request came over https."""

    def open_session(self, app, request):
        if not request.path.startswith(bp.url_prefix):
            return None  # a null session: nothing to parse on API requests
        return super().open_session(app, request)

    def get_cookie_secure(self, app) -> bool:
        return request.is_secure


@bp.before_request
def _guard():
    if request.endpoint == "dashboard.static":
        return None
    csrf.protect()  # POSTs only; raises CSRFError
    g.dashboard = identity.signed_in()
    if g.dashboard and g.dashboard[0] == "tenant":
        scope_to(g.dashboard[1])
    return None


@bp.after_request
def _security_headers(response):
    if request.endpoint != "dashboard.static":
        response.headers.update(SECURITY_HEADERS)
    return response


def signed_in_as(role: str):
    """A view for a signed-in tenant ("tenant") or the operator ("admin"); anyone else
    is sent to sign in, the other role to its own overview."""
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            who = g.get("dashboard")
            if who is None:
                return redirect(url_for("dashboard.sign_in"), 303)
            if who[0] != role:
                return redirect(url_for("dashboard.home"), 303)
            return view(*args, **kwargs)
        return guarded
    return decorate


def current_tenant():
    return g.dashboard[1]


def wants_html() -> bool:
    return request.accept_mimetypes.best_match(["application/problem+json", "text/html"]) == "text/html"


def error_page(status: int, title: str, detail: str, errors: dict | None = None, headers: dict | None = None):
    """An HTML page for browsers; problem+json for everyone else (the API's error shape)."""
    if not wants_html():
        return problem(status, title, detail, errors, headers=headers)
    body = render_template("dashboard/error.html", status=status, title=title, detail=detail, errors=errors or {})
    return body, status, headers or {}


@bp.errorhandler(ServiceError)
def _service_error(error: ServiceError):
    return error_page(error.status, error.title, error.detail)


@bp.errorhandler(ValidationError)
def _invalid(error: ValidationError):
    errors = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    return error_page(422, "Unprocessable Content", "Some of what was sent is not valid.", errors)


@bp.errorhandler(InvalidCursor)
def _bad_cursor(error: InvalidCursor):
    return error_page(422, "Unprocessable Content", "That page link is not valid.", {"cursor": [str(error)]})


@bp.errorhandler(CSRFError)
def _csrf_refused(error: CSRFError):
    return error_page(400, "Bad Request", f"The form could not be accepted ({error.description}) "
                      "Reload the page and try again.")


@bp.app_template_filter("local_time")
def local_time(ms: int | None) -> str:
    """Epoch ms as a time in the signed-in tenant's time zone (UTC for the operator)."""
    if ms is None:
        return "—"
    who = g.get("dashboard")
    zone = who[1].timezone if who and who[0] == "tenant" else "UTC"
    return datetime.fromtimestamp(ms / 1000, ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


@bp.app_template_filter("money")
def money(minor: int | None) -> str:
    return to_text(minor or 0)


@bp.app_template_filter("status")
def status_of(message: dict) -> str:
    return STATUS_OF_RANK.get(message.get("status_rank"), "pending")


@bp.app_context_processor
def _helpers():
    return {"ticks": TICKS, "who": g.get("dashboard")}
