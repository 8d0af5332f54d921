"""The optional raw archive of accepted webhook bodies, and re-ingesting them.

With WEBHOOK_ARCHIVE_DAYS > 0 every authenticated, well-formed webhook body is kept
verbatim for that many days (one more insert per request). After a parser fix,
`flask --app app webhooks replay --tenant SLUG --since ...` feeds the bodies through
the storage path again; it is idempotent, so what was stored stays stored once.
"""
from models.collections import scoped
from models.webhook_archive import WebhookArchive
from services import clock


def keep(gateway: str, body: bytes) -> None:
    scoped(WebhookArchive).insert_one({"gateway": gateway, "body": body.decode("utf-8"),
                                       "received_at": clock.now_ms()})


def kept_since(since_ms: int, until_ms: int | None = None):
    window = {"$gte": since_ms, **({"$lt": until_ms} if until_ms is not None else {})}
    return scoped(WebhookArchive).find({"received_at": window}, sort=[("received_at", 1), ("_id", 1)])


def prune(days: int) -> int:
    return scoped(WebhookArchive).delete_many({"received_at": {"$lt": clock.now_ms() - days * clock.DAY_MS}})
