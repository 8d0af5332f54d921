"""Message retention: the tenant setting `message_retention_days` (None keeps for ever).

The hourly upkeep deletes the current tenant's messages created before the cut-off,
oldest first, in batches, within a time budget per tenant (a tenant with millions to
delete goes on at the next upkeep, and never holds the others up), and rebuilds the
summaries of the conversations it touched, so counts, last message and unread stay
right.
"""
import time

from models.collections import scoped
from models.message import Message
from services import clock
from services.messaging import conversations, search_index

BATCH = 1000


def delete_expired_messages(retention_days: int | None, budget_s: float) -> int:
    if not retention_days:
        return 0
    cutoff = clock.now_ms() - retention_days * clock.DAY_MS
    deadline, deleted, touched = time.monotonic() + budget_s, 0, set()
    messages = scoped(Message)
    while time.monotonic() < deadline:
        batch = list(messages.find({"created_at": {"$lt": cutoff}}, sort=[("created_at", 1)], limit=BATCH,
                                   projection={"conversation_id": 1}))
        if not batch:
            break
        deleted += search_index.delete_message_ids([m["_id"] for m in batch])
        touched.update(m["conversation_id"] for m in batch if m.get("conversation_id"))
        if len(batch) < BATCH:
            break
    for conversation_id in sorted(touched):
        conversations.rebuild_summaries(conversation_id)
    return deleted
