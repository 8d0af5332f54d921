"""RFC 9457 problem+json for every error, whoever raised it.

Field-level messages go in `errors` (422). No stack trace ever reaches a body: an
unexpected exception is logged here and answered with a bare 500.
"""
import logging

from flask import Response, json
from marshmallow import ValidationError
from pymongo.errors import PyMongoError
from werkzeug.exceptions import HTTPException, InternalServerError

from schemas.json_text import LoneSurrogate
from services.errors import ServiceError, database_unavailable
from services.pagination import InvalidCursor

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
DB_RETRY_AFTER_S = 5
DETAILS = {
    400: "The request could not be read (is the body valid JSON?).",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: "The request body is larger than this service accepts.",
    415: "Send the body as application/json.",
    422: "The request is invalid; see errors for each field.",
    500: "Something went wrong on our side; the request changed nothing.",
}


def problem(status: int, title: str, detail: str | None = None, errors: dict | None = None,
            type_: str = "about:blank", headers: dict | None = None) -> Response:
    body = {"type": type_, "title": title, "status": status,
            "detail": detail or DETAILS.get(status, title)}
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten(messages) -> dict:
    """webargs nests messages by location ({"json": {...}}); clients want fields."""
    flat = {}
    for location, fields in (messages or {}).items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[f"_{location}"] = fields
    return flat


def problem_for_http_exception(error: HTTPException) -> Response:
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or _flatten(data.get("messages"))
    if code == 400 and errors and any("Invalid JSON" in str(v) for v in errors.values()):
        return problem(400, "Bad Request", "The body is not valid JSON.")
    detail = data.get("message") or (DETAILS.get(code) if code >= 500 or code in DETAILS else error.description)
    return problem(code, error.name, detail, errors if code == 422 else None,
                   headers=data.get("headers") or _own_headers(error))


def _own_headers(error: HTTPException) -> dict:
    # 405 must keep its Allow header, 401 its WWW-Authenticate.
    keep = ("Allow", "WWW-Authenticate", "Retry-After")
    return {k: v for k, v in error.get_headers() if k in keep}


def register_error_handlers(app) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError):
        return problem(error.status, error.title, error.detail, type_=f"urn:chatkeep:problem:{error.slug}")

    @app.errorhandler(ValidationError)
    def _validation_error(error: ValidationError):
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        return problem(422, "Unprocessable Content", errors=messages)

    @app.errorhandler(LoneSurrogate)
    def _not_text(error: LoneSurrogate):
        return problem(400, "Bad Request", str(error))

    @app.errorhandler(RecursionError)
    def _too_deep(error):  # json.loads on absurdly nested input
        return problem(400, "Bad Request", "The body is nested too deeply to be read.")

    @app.errorhandler(InvalidCursor)
    def _bad_cursor(error: InvalidCursor):
        return problem(422, "Unprocessable Content", errors={"cursor": [str(error)]})

    @app.errorhandler(PyMongoError)
    def _database_error(error):
        if not database_unavailable(error):
            log.error("database error: %s", type(error).__name__, exc_info=error)
            return problem(500, "Internal Server Error")
        log.warning("database unavailable: %s", type(error).__name__)
        return problem(503, "Service Unavailable", "The database is unreachable; retry shortly.",
                       type_="urn:chatkeep:problem:database-unavailable",
                       headers={"Retry-After": str(DB_RETRY_AFTER_S)})

    @app.errorhandler(InternalServerError)
    def _internal(error):
        return problem(500, "Internal Server Error")
