"""Summaries short by a message, repaired outside the request.

A message stored by an attempt cut off before its summary update (a crash, or an
outage between the two commands on MongoDB 6/7) is not counted. Its retry is a
duplicate, and the duplicate's one read of the summary tells (a counted message is the
summary's last message or sorts before it). Re-deriving the summary there and then
read the whole conversation inside the request: slow for a long conversation and, if
it outlasted the request's database deadline, a 503 on every retry. So the duplicate
only marks the conversation (one upsert, and only when it looks uncounted), and the
scheduler's `conversation_repairs` job (services.operations.scheduler, every
REPAIR_INTERVAL_S) re-checks and rebuilds it once the mark is REPAIR_SETTLE_MS old.
Until then the summary's counts are short by that message: for about 15 seconds.
"""
import logging

from models.collections import GlobalCollection, scoped
from models.conversation import Conversation, ConversationRepair
from models.tenancy import tenant_scope
from services import clock
from services.messaging import conversations

log = logging.getLogger(__name__)
# A message written right now is counted within milliseconds (its summary update follows
# its insert): a mark is acted on only this much later, after a fresh look.
REPAIR_SETTLE_MS = 2_000
REPAIRS_PER_RUN = 100


def _counted(message: dict) -> bool:
    summary = scoped(Conversation).find_one({"conversation_id": message["conversation_id"]},
                                            {"last_message_at": 1, "last_message_id": 1})
    return summary is not None and \
        (summary["last_message_at"], summary["last_message_id"]) >= (message["created_at"], message["_id"])


def mark_if_uncounted(message: dict) -> bool:
    """Called for a duplicate of a stored `message`: one read, and, if its summary has
    not counted it, one upsert marking the conversation for repair. True if marked."""
    if _counted(message):
        return False
    scoped(ConversationRepair).update_one(
        {"conversation_id": message["conversation_id"]},
        {"$set": {"message_id": message["_id"], "message_at": message["created_at"],
                  "due_at": clock.now_ms() + REPAIR_SETTLE_MS}}, upsert=True)
    return True


def any_due() -> bool:
    """Whether any tenant has a repair due (marks are rare: the collection is nearly
    always empty, so this reads next to nothing)."""
    return bool(list(GlobalCollection(ConversationRepair).find({"due_at": {"$lte": clock.now_ms()}}, limit=1)))


def run_due_repairs() -> int:
    """Re-derive the summaries marked for repair whose marks are due, every tenant's;
    returns how many were rebuilt."""
    due = list(GlobalCollection(ConversationRepair).find({"due_at": {"$lte": clock.now_ms()}},
                                                         limit=REPAIRS_PER_RUN))
    rebuilt = 0
    for mark in due:
        with tenant_scope(mark["tenant_id"]):
            rebuilt += _repair(mark)
    return rebuilt


def _repair(mark: dict) -> bool:
    message = {"conversation_id": mark["conversation_id"], "_id": mark["message_id"],
               "created_at": mark["message_at"]}
    rebuilt = not _counted(message)  # the write in flight when it was marked may have landed
    if rebuilt:
        log.warning("message %s was stored but not counted in its conversation; rebuilding", mark["message_id"])
        if conversations.rebuild_summaries(mark["conversation_id"])["unsettled"]:
            return True  # still changing under live traffic: the mark stays for the next run
    # Unless a newer duplicate marked it again meanwhile (due_at moved): that one is checked next.
    scoped(ConversationRepair).delete_one({"conversation_id": mark["conversation_id"], "due_at": mark["due_at"]})
    return rebuilt
