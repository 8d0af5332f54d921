"""RFC 9457 problem details: the one shape of every error body, and the response carrying it."""
from flask import Response, json
from marshmallow import INCLUDE, Schema, fields
from werkzeug.exceptions import HTTPException

from services import request_ids

PROBLEM_JSON = "application/problem+json"
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
    request_id = request_ids.current.get()
    if request_id is not None:
        body["request_id"] = request_id
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten(messages) -> dict:
    """webargs nests messages by location ({"json": {...}}); clients want fields."""
    flat = {}
    for location, located in (messages or {}).items():
        if isinstance(located, dict):
            flat.update(located)
        else:
            flat[f"_{location}"] = located
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



class ProblemSchema(Schema):
    """RFC 9457 problem details; `errors` and `request_id` are this service's extension members."""

    class Meta:
        unknown = INCLUDE  # RFC 9457 lets a problem carry extension members

    type = fields.String(required=True, metadata={
        "format": "uri-reference", "example": "about:blank",
        "description": "A URI naming the kind of problem: about:blank, or urn:chatkeep:problem:<slug>."})
    title = fields.String(required=True, metadata={"example": "Unprocessable Content"})
    status = fields.Integer(required=True, metadata={"minimum": 100, "maximum": 599, "example": 422})
    detail = fields.String(metadata={"example": "The request body is invalid."})
    instance = fields.String(metadata={"format": "uri-reference",
                                       "description": "RFC 9457's occurrence URI (not sent by ChatKeep today)."})
    errors = fields.Dict(metadata={"description": "Field-level messages (422 only): each field's list of "
                                                  "messages, nested like the body for nested fields.",
                                   "example": {"status": ["Must be one of: open, close."]}})
    request_id = fields.String(metadata={"description": "The request's id, as in its X-Request-Id response "
                                                        "header and in the service's log lines.",
                                         "example": "3f2a9c41d0b7-1a"})
