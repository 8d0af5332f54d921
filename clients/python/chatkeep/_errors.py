"""What a call raises: every error answer of the API is a ProblemError (RFC 9457)."""
import json
from http import HTTPStatus

import httpx


class ChatKeepError(Exception):
    """Base of everything this client raises on purpose."""


class ProblemError(ChatKeepError):
    """An error answer: the problem+json body's members as attributes.

    `errors` holds the field-level messages of a 422 ({"field": ["message", ...]}, nested
    like the body for nested fields); `request_id` matches the service's log lines."""

    def __init__(self, status: int, title: str, detail: str | None = None, type: str = "about:blank",  # noqa: A002
                 request_id: str | None = None, errors: dict | None = None, instance: str | None = None,
                 body: dict | None = None, headers: dict | None = None):
        self.status, self.title, self.detail, self.type = status, title, detail, type
        self.request_id, self.errors, self.instance = request_id, errors or {}, instance
        self.body, self.headers = body or {}, headers or {}
        super().__init__(f"{status} {title}" + (f": {detail}" if detail else ""))

    @property
    def retry_after(self) -> int | None:
        """Seconds to wait, when the answer says (429, 503)."""
        value = self.headers.get("retry-after")
        return int(value) if value and value.isdigit() else None

    @classmethod
    def from_response(cls, response: httpx.Response) -> "ProblemError":
        """Whatever the body is (a proxy's HTML page too): never a parse failure."""
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {}
        phrase = _phrase(response.status_code)
        status = body.get("status") if isinstance(body.get("status"), int) else response.status_code
        detail = body.get("detail") if isinstance(body.get("detail"), str) else None
        if not body and response.content:
            detail = response.content[:500].decode("utf-8", "replace")
        return cls(status=status, title=str(body.get("title") or phrase), detail=detail,
                   type=str(body.get("type") or "about:blank"), request_id=body.get("request_id")
                   or response.headers.get("x-request-id"), errors=body.get("errors") if isinstance(
                       body.get("errors"), dict) else None, instance=body.get("instance"), body=body,
                   headers={k.lower(): v for k, v in response.headers.items()})


class WebhookVerificationError(ChatKeepError):
    """A delivery whose ChatKeep-Signature is missing, malformed, forged or too old."""


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
