"""Everything a tenant holds about one end user, read piece by piece so a long history
is streamed, never loaded whole (the blueprint writes it out as it goes)."""
from models.collections import scoped
from models.conversation import Conversation
from models.gateway_session import GatewaySession
from models.message import HELD, Message
from models.order import Order
from services.commerce import chat_sessions
from services.messaging import conversations
from services.operations import heartbeat
from services.phones import conversation_id_for

BATCH = 500


def conversation_ids(phone: str) -> list[str]:
    """The contact's conversations: every summary whose pair holds the phone, and its
    conversation with each of the tenant's own numbers (its sessions') that holds messages
    but no summary (a message whose summary write was cut off, not yet repaired)."""
    summarised = _summarised(phone)
    own_numbers = {session.get("phone_number") for session in scoped(GatewaySession).find(
        {}, projection={"phone_number": 1})} - {None, "", phone}
    unsummarised = {conversation_id_for(phone, number) for number in own_numbers} - set(summarised)
    return sorted(set(summarised) | {conversation_id for conversation_id in unsummarised if scoped(Message).find_one(
        {"conversation_id": conversation_id}, projection={"_id": 1})})


def _summarised(phone: str) -> list[str]:
    """Every summary whose pair holds the phone ($in matches an array's elements alike on
    every backend, see conversations.list_conversations)."""
    return sorted(c["conversation_id"] for c in scoped(Conversation).find({"participants": {"$in": [phone]}},
                                                                          projection={"conversation_id": 1}))


def summaries(phone: str) -> list[dict]:
    return [conversations.get_conversation(conversation_id) for conversation_id in _summarised(phone)]


def messages(phone: str):
    """The contact's messages, oldest first per conversation, then those held for their
    session's number; read a batch at a time."""
    for conversation_id in conversation_ids(phone):
        last = None
        while True:
            query = {"conversation_id": conversation_id}
            if last is not None:
                query["$or"] = [{"created_at": {"$gt": last[0]}}, {"created_at": last[0], "_id": {"$gt": last[1]}}]
            batch = list(scoped(Message).find(query, sort=[("created_at", 1), ("_id", 1)], limit=BATCH))
            yield from batch
            heartbeat.beat()  # a long history takes longer than gunicorn's worker timeout
            if len(batch) < BATCH:
                break
            last = (batch[-1]["created_at"], batch[-1]["_id"])
    yield from (m for m in scoped(Message).find({"awaiting_message": HELD}) if m.get("chat") == phone)


def chat_session(phone: str, ttl_hours: int) -> dict | None:
    return chat_sessions.stored_session(phone, ttl_hours)


def orders(phone: str) -> list[dict]:
    return list(scoped(Order).find({"recipient_phone": phone}, sort=[("created_at", 1)]))
