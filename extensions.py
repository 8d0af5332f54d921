"""Unbound extension objects, bound to an app in create_app."""
import http

from flask_smorest import Api
from flask_smorest.utils import prepare_response

from blueprints.problems import problem_for_http_exception
from schemas.problem import ProblemSchema


class ChatKeepApi(Api):
    """flask-smorest's Api with RFC 9457 problem+json as the one error shape."""

    ERROR_SCHEMA = ProblemSchema
    ERROR_CONTENT_TYPE = "application/problem+json"

    def handle_http_exception(self, error):
        return problem_for_http_exception(error)

    def _register_responses(self):
        """flask-smorest's error responses, documented as problem+json (what we send)."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, self.ERROR_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, self.ERROR_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


SECURITY_SCHEMES = {
    "ApiKeyBearer": {"type": "http", "scheme": "bearer", "description": "The tenant's API key."},
    "ApiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                     "description": "The tenant's API key, as a header."},
    "AdminToken": {"type": "http", "scheme": "bearer", "description": "CHATKEEP_ADMIN_TOKEN."},
}
TENANT_SECURITY = [{"ApiKeyBearer": []}, {"ApiKeyHeader": []}]
ADMIN_SECURITY = [{"AdminToken": []}]
PUBLIC = []
