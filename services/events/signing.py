"""The signature of a webhook delivery: `ChatKeep-Signature: t=<unix seconds>,v1=<hex>`,
HMAC-SHA256 with the endpoint's secret over "<t>.<raw body>" (the README shows how a
receiver checks it, with a tolerance on t against replays)."""
import hashlib
import hmac


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"
