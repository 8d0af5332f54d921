"""The application factory: a list of register_* calls."""
import atexit
import logging
import os
from pathlib import Path

from flask import Flask, g, request

from config import load_settings
from extensions import SECURITY_SCHEMES, TENANT_SECURITY, ChatKeepApi

log = logging.getLogger("chatkeep")
JSON_BODY_METHODS = {"POST", "PUT", "PATCH"}


def create_app(config: dict | None = None) -> Flask:
    """Build the app from the environment; `config` overrides settings (tests)."""
    app = Flask(__name__)
    app.config.update(load_settings())
    app.config.update(config or {})
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    register_logging(app)
    register_proxy_fix(app)
    register_secrets(app)
    register_database(app)
    register_request_hooks(app)
    register_api(app)
    register_dashboard(app)
    register_webhook_fast_path(app)
    register_cli(app)
    return app


def register_logging(app: Flask) -> None:
    configure_logging(app.config["LOG_LEVEL"])


LOG_FORMAT = "%(asctime)s %(levelname)s [%(process)d] [%(request_id)s] %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """One log format for every process, each line with its request's id; pymongo never
    below INFO, because its DEBUG log prints whole commands (tenant settings and key
    hashes included); APScheduler's report of every job run (three lines a second in
    an idle service) only at DEBUG: the jobs log what they did themselves."""
    from services.request_ids import RequestIdFilter

    logging.basicConfig(level=level, format=LOG_FORMAT)
    root = logging.getLogger()
    root.setLevel(level)
    for handler in root.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
    logging.getLogger("pymongo").setLevel(max(logging.INFO, logging.getLevelName(level)))
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)


def register_proxy_fix(app: Flask) -> None:
    """Behind TRUSTED_PROXY_COUNT reverse proxies, request.remote_addr is the client's
    (so each client has its own authentication throttle) and the scheme the proxy's.
    Only X-Forwarded-For and -Proto are trusted: proxies commonly pass the others
    through from the client unchanged."""
    proxies = app.config["TRUSTED_PROXY_COUNT"]
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0, x_port=0, x_prefix=0)


def register_secrets(app: Flask) -> None:
    """SECRET_KEY's keys (or the development key under DATA_DIR) seal stored secrets."""
    from services import secret_box

    # The setting as given stays in SECRET_KEY_SETTING (for child processes, and for an app
    # made from this one's config); Flask's own SECRET_KEY (the dashboard's cookie and CSRF
    # tokens) becomes a key derived from it, never a Fernet key.
    setting = app.config.get("SECRET_KEY_SETTING", app.config["SECRET_KEY"])
    secret_box.configure(setting, app.config["DATA_DIR"])
    app.config["SECRET_KEY_SETTING"] = setting
    first, *older = secret_box.signing_keys()
    app.config.update(SECRET_KEY=first, SECRET_KEY_FALLBACKS=older)


def register_database(app: Flask) -> None:
    from models.db import connect, redact
    from services.operations import embedded_db
    from services.operations.metrics import CommandCounter

    uri = app.config["MONGODB_URI"]
    if uri is None:
        # Under gunicorn the master has started the embedded server and says where;
        # CLI commands and direct runs share that server, or start it.
        uri = os.environ.get(embedded_db.URI_ENV)
        if not uri:
            uri = embedded_db.ensure_running(app.config["DATA_DIR"])
            # Stops it at exit only if this process started it and nobody took it over.
            atexit.register(embedded_db.stop_if_owner, app.config["DATA_DIR"], os.getpid())
        log.info("database: embedded nx-27017 at %s (development default; set MONGODB_URI "
                 "to use MongoDB in production)", uri)
    else:
        log.info("database: %s", redact(uri))
    connect(uri, app.config["DB_TIMEOUT_MS"], [CommandCounter()])
    from services.events import event_log, local_wake

    event_log.configure(app.config["DB_TIMEOUT_MS"], app.config["EVENTS_CLOCK_SKEW_MS"])
    local_wake.configure(app.config["DATA_DIR"])
    from services.tenancy.tenant_cache import cache, last_known

    cache.fresh_s = app.config["AUTH_CACHE_S"]
    cache.clear()
    last_known.directory = Path(app.config["DATA_DIR"]) / "tenant-cache"
    from services.tenancy.throttle import throttle

    throttle.limit = app.config["AUTH_FAILURE_LIMIT"]
    throttle.reset()


def register_request_hooks(app: Flask) -> None:
    """One hook of each kind: they run on every request, so they touch Flask's
    context-local proxies as little as they can. What they do around the request is
    blueprints.request_scope, shared with the webhook fast path."""
    from blueprints import request_scope
    from blueprints.auth import release_tenant
    from schemas.problem import problem
    from services import request_ids

    @app.before_request
    def _begin_request():
        current = request._get_current_object()
        g.request_scope = request_scope.open_scope(current.environ, app.config["DB_TIMEOUT_MS"])
        # The dashboard's forms post form data; everything else takes JSON.
        if current.method in JSON_BODY_METHODS and not current.is_json and current.blueprint != "dashboard" and (
                current.content_length or "chunked" in current.headers.get("Transfer-Encoding", "")):
            return problem(415, "Unsupported Media Type")
        return None

    @app.after_request
    def _observe(response):
        scope = g.get("request_scope")
        if scope is not None:
            current = request._get_current_object()
            request_scope.observe(scope, current.method, current.url_rule.rule if current.url_rule else "<unmatched>",
                                  response.status_code)
            response.headers[request_ids.HEADER] = scope.request_id
        return response

    @app.teardown_request
    def _end_request(_exc=None):
        release_tenant()
        scope = g.pop("request_scope", None)
        if scope is not None:
            request_scope.close_scope(scope)


def register_api(app: Flask) -> None:
    from blueprints import (admin, analytics, chat_sessions, contacts, conversations, events, messages, ops, orders,
                            sessions, snapshots, stats, webhook_endpoints, webhooks)
    from blueprints.problems import register_error_handlers

    app.config.update({
        "API_TITLE": "ChatKeep", "API_VERSION": "1.2.0",  # the clients' version too (clients/)
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/", "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs", "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
        "API_SPEC_OPTIONS": {
            "security": TENANT_SECURITY,
            "info": {"description": "Persistence for WhatsApp gateways and chatbots. "
                                    "Errors are RFC 9457 application/problem+json."},
        },
    })
    api = ChatKeepApi(app)
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)
    for blueprint in (ops.blp, admin.blp, snapshots.blp, sessions.blp, messages.blp, conversations.blp,
                      webhooks.blp, chat_sessions.blp, orders.blp, stats.blp, events.blp, webhook_endpoints.blp,
                      contacts.blp, analytics.blp):
        api.register_blueprint(blueprint)
    app.add_url_rule("/docs/assets/<path:filename>", "docs_asset", ops.docs_asset)
    # For the Kafka publisher and the webhook lanes (services cannot import schemas):
    # envelopes(events, slug, messages=None) renders a batch of stored events (a message
    # event's message is read once per batch, unless given: services.events.event_data).
    from schemas.events import envelope
    from services.events import event_data

    app.extensions["chatkeep_event_envelopes"] = lambda events, slug, messages=None: [
        envelope(event, slug) for event in event_data.resolved(events, messages)]
    register_error_handlers(app)


def register_webhook_fast_path(app: Flask) -> None:
    """Gateways' webhooks skip Flask's request machinery (a third of their CPU);
    everything else, and every refusal of theirs, goes through the app as before."""
    from blueprints import webhook_fast_path

    webhook_fast_path.install(app)


def register_dashboard(app: Flask) -> None:
    from blueprints import dashboard

    dashboard.register(app)


def register_cli(app: Flask) -> None:
    from commands import register_commands

    register_commands(app)
