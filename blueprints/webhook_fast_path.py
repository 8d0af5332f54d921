"""The gateways' webhooks (Evolution, WAHA, the Cloud API), answered without Flask's
request machinery in the common case.

Gateways post every message and every status here: it is the service's hottest path.
Flask's request context, routing, hooks and flask-smorest's response cost about 200 us
of CPU per webhook beside a store of about 400 (in-process, issue 26). This path does
the same work as the Flask route for a request it can answer in full: one of these
routes, POST, a JSON body of a declared length within the limit, the tenant's token
(or the Cloud API's signature), a JSON object. Anything else goes to the Flask app
untouched (the body re-wound), so the refusals, their problem bodies, the failure
throttle and the documented routes stay in one place. What both paths do around a
request is blueprints.request_scope; what a webhook stores, blueprints.webhooks.store.
"""
import io
import re
from urllib.parse import parse_qsl

from flask import Flask, Response
from werkzeug.wsgi import get_content_length

from blueprints import request_scope
from blueprints.webhooks import EVENT_NAME, cloud_signed, payload_of, store, token_tenant
from models.tenancy import tenant_scope
from schemas.fast_dump import dumper
from schemas.webhooks import WebhookResultSchema
from services import request_ids
from services.tenancy.tenants import tenant_by_slug

# /webhooks/<path>/<slug>[/<event_name>], as the Flask routes take them (a slug has no '/').
_PATH = re.compile(r"/webhooks/(evolution|waha|whatsapp)/([^/]+)(?:/([^/]+))?")
# (the path's name, with an event name) -> (the Flask endpoint, the parser's name)
_ROUTES = {("evolution", False): ("webhooks.evolution_webhook", "evolution"),
           ("evolution", True): ("webhooks.evolution_webhook_by_event", "evolution"),
           ("waha", False): ("webhooks.waha_webhook", "waha"),
           ("whatsapp", False): ("webhooks.cloud_webhook", "cloud")}
RENDERED_KEPT = 256  # distinct results of counts whose bodies are kept (batches vary the counts)


def install(app: Flask) -> None:
    """Put the fast path in front of the app's WSGI callable (after any ProxyFix)."""
    app.wsgi_app = GatewayWebhooks(app, app.wsgi_app)


class GatewayWebhooks:
    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        # Metrics label a request by its Flask rule, whichever path answers it.
        rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
        self.routes = {key: (rules[endpoint], gateway) for key, (endpoint, gateway) in _ROUTES.items()}
        self.dump = dumper(WebhookResultSchema())
        self._rendered: dict[tuple, bytes] = {}  # results of counts -> their response body

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "POST" and environ.get("PATH_INFO", "").startswith("/webhooks/"):
            answer = self._answer(environ)
            if answer is not None:
                return answer(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _answer(self, environ):
        """The stored webhook's response (a WSGI app), or None (nothing changed, any body
        read re-wound) for the Flask app to answer."""
        path = _PATH.fullmatch(environ["PATH_INFO"])
        route = path and self.routes.get((path[1], path[3] is not None))
        if route is None or (path[3] is not None and not EVENT_NAME.fullmatch(path[3])):
            return None
        length = self._json_length(environ)
        if length is None:
            return None
        (rule, gateway), slug = route, path[2]
        scope = request_scope.open_scope(environ, self.app.config["DB_TIMEOUT_MS"])
        try:
            with self.app.app_context():
                response = self._stored(environ, gateway, slug, length)
            if response is not None:
                response.headers[request_ids.HEADER] = scope.request_id
                request_scope.observe(scope, "POST", rule, response.status_code)
            return response
        finally:
            request_scope.close_scope(scope)

    def _stored(self, environ, gateway: str, slug: str, length: int):
        try:
            accepted = self._accepted(environ, gateway, slug, length)
        except Exception as exc:  # noqa: BLE001 - the tenant's lookup, the database down: as the route answers it
            return self._error(environ, exc)
        if accepted is None:
            return None
        tenant, body, payload = accepted
        with tenant_scope(tenant.id):
            try:
                result = store(gateway, tenant, payload, body)
            except Exception as exc:  # noqa: BLE001 - answered as the Flask app answers it
                return self._error(environ, exc)
        return result if isinstance(result, Response) else self._json(result)

    def _accepted(self, environ, gateway: str, slug: str, length: int):
        """(tenant, body, payload) of an authenticated request whose body is a JSON object,
        else None. As on the Flask routes: a token is checked before the body is read; a
        signature is over it."""
        if gateway == "cloud":
            body, tenant = self._body(environ, length), tenant_by_slug(slug)
            if body is None or not cloud_signed(tenant, body, environ.get("HTTP_X_HUB_SIGNATURE_256", "")):
                return None
        else:
            query = environ.get("QUERY_STRING")
            query_token = next((value for name, value in parse_qsl(query, keep_blank_values=True)
                                if name == "token"), None) if query else None
            tenant = token_tenant(gateway, slug, query_token, environ.get("HTTP_X_WEBHOOK_TOKEN"))
            body = self._body(environ, length) if tenant is not None else None
            if body is None:
                return None
        try:
            payload = payload_of(body)
        except (ValueError, RecursionError):
            return None
        return (tenant, body, payload) if isinstance(payload, dict) else None

    def _json_length(self, environ) -> int | None:
        """The declared length of a plain JSON body within the size limit, else None."""
        mimetype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
        if mimetype != "application/json" and not (mimetype.startswith("application/")
                                                   and mimetype.endswith("+json")):
            return None
        length = get_content_length(environ)  # as Flask reads it; None when chunked
        return length if length and length <= self.app.config["MAX_CONTENT_LENGTH"] else None

    @staticmethod
    def _body(environ, length: int) -> bytes | None:
        """The whole body, re-wound for the Flask app; None if the client sent less."""
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        return body if len(body) == length else None

    def _json(self, result: dict) -> "_JsonAnswer":
        """As flask-smorest answers the route: the schema's dump as Flask's JSON (indented
        in debug, as its provider does). Not a werkzeug Response: building and sending one
        cost a fifth of this path. A result of counts only (nearly every webhook's: one
        accepted) is rendered once and its bytes kept."""
        provider = self.app.json
        pretty = (provider.compact is None and self.app.debug) or provider.compact is False
        key = (pretty, *result.items()) if all(type(value) is int for value in result.values()) else None
        body = self._rendered.get(key) if key else None
        if body is None:
            text = provider.dumps(self.dump(result), **({"indent": 2} if pretty else {"separators": (",", ":")}))
            body = f"{text}\n".encode()
            if key and len(self._rendered) < RENDERED_KEPT:
                self._rendered[key] = body
        return _JsonAnswer(body)

    def _error(self, environ, exc: Exception) -> Response:
        """The Flask app's own answer to `exc` (its problem+json handlers, logging)."""
        with self.app.request_context(environ):
            try:
                return self.app.make_response(self.app.handle_user_exception(exc))
            except Exception as unhandled:  # noqa: BLE001 - no handler of its own: a 500
                return self.app.make_response(self.app.handle_exception(unhandled))


class _JsonAnswer:
    """A 200 with a JSON body, as a WSGI app; `headers` takes one more as a Response's does."""
    status_code = 200

    def __init__(self, body: bytes):
        self.body = body
        self.headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}

    def __call__(self, environ, start_response):
        start_response("200 OK", list(self.headers.items()))
        return [self.body]
