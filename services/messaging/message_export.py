"""A tenant's messages for export: oldest first, in batches, memory flat whatever the size.

The rows are read with services.pagination.oldest_first on the tenant's time index (or
its conversation's or session's), one batch at a time, and each batch is rendered and
sent before the next is read. After each batch the worker tells gunicorn it is alive
(services.operations.heartbeat): an export may take longer than the worker timeout.
"""
from models.collections import scoped
from models.message import VISIBLE, Message
from services.operations import heartbeat
from services.pagination import oldest_first

BATCH = 500


def message_batches(filters: dict):
    """Lists of visible message documents, oldest first; filters: since, until (ms),
    session_id, conversation_id."""
    query = {k: filters[k] for k in ("session_id", "conversation_id") if filters.get(k)}
    created = {"$gte": filters["since"] if filters.get("since") is not None else -(2 ** 62)}
    if filters.get("until") is not None:
        created["$lt"] = filters["until"]
    for batch in oldest_first(scoped(Message), {**query, **VISIBLE, "created_at": created}, BATCH):
        yield batch
        heartbeat.beat()
