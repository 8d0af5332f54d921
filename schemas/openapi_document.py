"""The finishing pass over the OpenAPI document, so client generators read it well.

apispec writes what the marshmallow schemas say; generators (openapi-python-client,
@hey-api/openapi-ts) then want a little more: an operation id for every operation
(`<resource>_<action>`, the names of generated functions), the problem+json answer of
every error an operation can give, enums as named types, nullable nested objects as a
nullable reference, and output fields that are always present marked required (else
every attribute of a generated model reads "maybe unset"). A pure function over the
document's dict; explicit values (an operationId given with @blp.doc) are kept.
"""
import copy
from http import HTTPStatus

from apispec import APISpec

from models.erasure import ERASURE_STATES
from models.event import EVENT_TYPES
from models.gateway_session import GATEWAY_KINDS, SESSION_STATUSES
from models.message import STATUSES as MESSAGE_STATUSES
from models.order import ORDER_STATUSES
from schemas.messages import DIRECTIONS, MESSAGE_TYPES
from schemas.openapi_conventions import OPERATION_IDS, OPTIONAL_OUTPUT, PAGE_OPTIONAL

METHODS = ("get", "put", "post", "patch", "delete")
PROBLEM = "#/components/schemas/Problem"
ENUMS = {"Direction": DIRECTIONS, "MessageType": MESSAGE_TYPES, "MessageStatus": MESSAGE_STATUSES,
         "SessionStatus": SESSION_STATUSES, "GatewayKind": GATEWAY_KINDS, "OrderStatus": ORDER_STATUSES,
         "EventType": EVENT_TYPES, "ErasureState": ERASURE_STATES}
ACTIONS = {"get": "list", "post": "create", "put": "put", "patch": "update", "delete": "delete"}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}}


class ChatKeepSpec(APISpec):
    """apispec's spec, finished on the way out (to_dict serves /openapi.json and the CLI)."""

    def to_dict(self):
        return finish_document(copy.deepcopy(super().to_dict()))


def finish_document(doc: dict) -> dict:
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                operation = item[method]
                operation.setdefault("operationId", OPERATION_IDS.get(f"{method.upper()} {path}")
                                     or derived_operation_id(method, path))
                _document_errors(doc, path, method, operation)
    _name_enums(doc)
    _nullable_references(doc)
    _require_output_fields(doc)
    _drop_unused_components(doc)
    return doc


def derived_operation_id(method: str, path: str) -> str:
    """`<resource>_<action>`: GET /api/v1/orders -> orders_list, GET .../{id} -> orders_get,
    POST .../{id}/complete -> orders_complete, GET .../{id}/deliveries -> webhook_endpoints_deliveries."""
    segments = [s for s in path.strip("/").split("/") if s not in ("api", "v1")]
    words = [s.replace("-", "_") for s in segments if not s.startswith("{")]
    resource, rest = words[0], words[1:]
    if resource == "admin":
        resource, rest = f"admin_{rest[0]}", rest[1:]
    if not rest:
        action = "get" if method == "get" and segments[-1].startswith("{") else ACTIONS[method]
    elif method in ("get", "post"):
        action = "_".join(rest)
    else:
        action = "_".join(rest) + "_" + ACTIONS[method]
    return f"{resource}_{action}"


def _error_statuses(doc: dict, path: str, operation: dict) -> set[int]:
    """Every error the operation can answer (each a problem+json body)."""
    security = operation.get("security", doc.get("security", []))
    guarded = any(requirement for requirement in security) or path.startswith("/webhooks/")
    has_params = "{" in path or bool(operation.get("parameters"))
    statuses = {401, 429} if guarded else set()
    if "{" in path or path.startswith("/api/v1/admin"):
        statuses.add(404)  # an unknown id, another tenant's id, or the admin API switched off
    if operation.get("requestBody"):
        statuses |= {400, 413, 415, 422}
    if has_params:
        statuses.add(422)
    if path.startswith(("/api/", "/webhooks/")) or path == "/readyz":
        statuses.add(503)
    return statuses


def _document_errors(doc: dict, path: str, method: str, operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    for status in sorted(_error_statuses(doc, path, operation)):
        responses.setdefault(str(status), {"$ref": f"#/components/responses/{HTTPStatus(status).name}"})
    for code, response in responses.items():
        if code[0] in "45" and "$ref" not in response and "content" not in response:
            response["content"] = {"application/problem+json": {"schema": {"$ref": PROBLEM}}}
    components = doc["components"].setdefault("responses", {})
    for code, response in responses.items():
        ref = response.get("$ref", "")
        name = ref.rsplit("/", 1)[-1]
        if ref and name not in components and code.isdigit():
            components[name] = _problem_response(int(code))


def _problem_response(status: int) -> dict:
    response = {"description": HTTPStatus(status).phrase,
                "content": {"application/problem+json": {"schema": {"$ref": PROBLEM}}}}
    if status in (429, 503):
        response["headers"] = RETRY_AFTER
    return response


def _walk(node, visit):
    """Calls visit(dict) on every dict in the document, children first."""
    if isinstance(node, dict):
        for value in node.values():
            _walk(value, visit)
        visit(node)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _name_enums(doc: dict) -> None:
    """Inline `{"type": "string", "enum": [...]}` of a known set -> a named enum schema."""
    by_values = {frozenset(values): name for name, values in ENUMS.items()}
    used = set()

    def named(child):
        if isinstance(child, dict) and child.get("type") == "string":
            return by_values.get(frozenset(child.get("enum", ())))
        return None

    def visit(node):
        for key in ("schema", "items"):
            if named(node.get(key)):
                node[key] = _reference(node[key], named(node[key]), used)
        properties = node.get("properties") or {}
        for name, child in properties.items():
            if named(child):
                properties[name] = _reference(child, named(child), used)

    _walk(doc["paths"], visit)
    _walk(doc["components"]["schemas"], visit)
    for name in sorted(used):
        doc["components"]["schemas"][name] = {"type": "string", "enum": list(ENUMS[name])}


def _reference(inline: dict, name: str, used: set) -> dict:
    used.add(name)
    ref = {"$ref": f"#/components/schemas/{name}"}
    rest = {k: v for k, v in inline.items() if k not in ("type", "enum", "example")}  # the enum shows examples
    return {"allOf": [ref], **rest} if rest else ref


def _nullable_references(doc: dict) -> None:
    """apispec writes a nullable Nested as anyOf [{type: object, nullable}, {$ref}], which
    generators turn into an extra anonymous type; a nullable allOf of the one reference."""
    def visit(node):
        any_of = node.get("anyOf")
        if (isinstance(any_of, list) and len(any_of) == 2 and any_of[0] == {"type": "object", "nullable": True}
                and "$ref" in any_of[1]):
            del node["anyOf"]
            node.update({"allOf": [any_of[1]], "nullable": True})

    _walk(doc["components"]["schemas"], visit)


def _references(node) -> set[str]:
    found = set()
    _walk(node, lambda n: found.add(n["$ref"].rsplit("/", 1)[-1]) if isinstance(n.get("$ref"), str) else None)
    return found


def _closure(doc: dict, names: set[str]) -> set[str]:
    schemas, seen, todo = doc["components"]["schemas"], set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        todo.extend(_references(schemas[name]))
    return seen


def _require_output_fields(doc: dict) -> None:
    """Schemas only ever sent (never read from a request) list every property as required,
    but those OPTIONAL_OUTPUT names as sometimes absent."""
    outputs, inputs = set(), set()
    for item in doc["paths"].values():
        for method in METHODS:
            operation = item.get(method, {})
            inputs |= _references(operation.get("requestBody", {})) | _references(operation.get("parameters", []))
            outputs |= _references({c: r for c, r in operation.get("responses", {}).items() if c.startswith("2")})
    schemas = doc["components"]["schemas"]
    for name in _closure(doc, outputs) - _closure(doc, inputs):
        schema = schemas[name]
        if "properties" in schema:
            page = {"items", "next_cursor"} <= set(schema["properties"])
            optional = OPTIONAL_OUTPUT.get(name, set()) | (PAGE_OPTIONAL if page else set())
            schema["required"] = [p for p in schema["properties"] if p not in optional]


def _drop_unused_components(doc: dict) -> None:
    """flask-smorest registers a PaginationMetadata schema for its own (unused) pagination."""
    schemas = doc["components"]["schemas"]
    used = _closure(doc, _references(doc["paths"]) | _references(doc["components"].get("responses", {})))
    for name in [n for n in schemas if n not in used]:
        del schemas[name]
