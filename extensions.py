"""Unbound extension objects, bound to an app in create_app."""
import flask_smorest
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect
from webargs import core
from webargs.flaskparser import FlaskParser

from schemas.openapi_document import ChatKeepSpec
from schemas.problem import ProblemSchema, problem_for_http_exception
from services.json_text import checked


class ChatKeepApi(Api):
    """flask-smorest's Api with RFC 9457 problem+json as the one error shape."""

    ERROR_SCHEMA = ProblemSchema
    ERROR_CONTENT_TYPE = "application/problem+json"

    def _init_spec(self, **kwargs):
        super()._init_spec(**kwargs)
        # flask-smorest makes a plain APISpec; ours finishes the document for client
        # generators (schemas.openapi_document) whenever it is written out.
        self.spec.__class__ = ChatKeepSpec

    def handle_http_exception(self, error):
        return problem_for_http_exception(error)

    def _register_responses(self):
        """flask-smorest's error responses, documented as problem+json (what we send):
        its own registration, with the error content type in place of the default."""
        self.DEFAULT_RESPONSE_CONTENT_TYPE = self.ERROR_CONTENT_TYPE
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE  # the class's default again


class TextOnlyParser(FlaskParser):
    """webargs' Flask parser, refusing lone surrogates in JSON bodies (LoneSurrogate: 400)."""

    def _raw_load_json(self, req):
        value = super()._raw_load_json(req)
        return value if value is core.missing else checked(value, req.get_data(cache=True))


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint, reading JSON bodies without lone surrogates."""

    ARGUMENTS_PARSER = TextOnlyParser()


# CSRF tokens for the dashboard's forms only: the API authenticates with keys, not cookies,
# so blueprints.dashboard checks every POST itself (WTF_CSRF_CHECK_DEFAULT is off).
csrf = CSRFProtect()

SECURITY_SCHEMES = {
    "ApiKeyBearer": {"type": "http", "scheme": "bearer", "description": "The tenant's API key."},
    "ApiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                     "description": "The tenant's API key, as a header."},
    "AdminToken": {"type": "http", "scheme": "bearer", "description": "CHATKEEP_ADMIN_TOKEN."},
    "MetricsToken": {"type": "http", "scheme": "bearer", "description": "METRICS_TOKEN, when it is set."},
}
TENANT_SECURITY = [{"ApiKeyBearer": []}, {"ApiKeyHeader": []}]
ADMIN_SECURITY = [{"AdminToken": []}]
METRICS_SECURITY = [{}, {"MetricsToken": []}]  # open, or the token when METRICS_TOKEN is set
PUBLIC = []
