"""Checking a webhook delivery's ChatKeep-Signature (services/events/signing.py makes it)."""
import hashlib
import hmac
import json
import time

from ._errors import WebhookVerificationError
from ._generated.models.event import Event

DEFAULT_TOLERANCE_S = 300


def verify_webhook(body: bytes | str, signature_header: str | None, secret: str,
                   tolerance: float = DEFAULT_TOLERANCE_S, *, now: float | None = None) -> Event:
    """The delivered event, once `ChatKeep-Signature: t=<unix>,v1=<hex>` proves it came from
    ChatKeep with this endpoint's secret: HMAC-SHA256(secret, "<t>.<raw body>"), t within
    `tolerance` seconds of now (a replayed old delivery is refused). Pass the raw body bytes,
    before any JSON parsing. Raises WebhookVerificationError otherwise."""
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    timestamp, candidates = _parse(signature_header or "")
    expected = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise WebhookVerificationError("The signature does not match this body and secret.")
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise WebhookVerificationError(f"The signature's timestamp is more than {tolerance} s away from now.")
    try:
        return Event.from_dict(json.loads(raw))
    except (ValueError, KeyError, TypeError) as exc:
        raise WebhookVerificationError(f"The signed body is not an event: {exc}") from None


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp, candidates = None, []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            candidates.append(value.lower())  # several during a secret's rotation
    if timestamp is None or not candidates:
        raise WebhookVerificationError("Malformed ChatKeep-Signature: expected t=<unix seconds>,v1=<hex>.")
    return timestamp, candidates
