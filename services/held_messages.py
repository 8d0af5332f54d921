"""Messages whose session's own number is not known yet, kept until it is.

A gateway payload may name no sender (Evolution without `sender`, before any connection
event has told ChatKeep the session's number): the message's conversation cannot be
named yet, but the gateway delivered it and will not send it again. It is stored
invisible (`awaiting_message: HELD`), the other party in `chat`, and released (given
its from, to and conversation, and counted in its summary) once the session's number
is known: at once when a connection event or `PUT /sessions` brings the number, else
by the hourly upkeep, which also reads the number off the session's other messages.
Statuses apply to a held message as to any other.
"""
import logging

from pymongo.errors import DuplicateKeyError

from models.collections import scoped
from models.gateway_session import GatewaySession
from models.message import HELD, VISIBLE, Message
from services import clock, message_status, messages
from services.events import MessageEvent
from services.pagination import DESC

log = logging.getLogger(__name__)


def hold(event: MessageEvent) -> bool:
    """Keep `event` until its session's number is known; False if it is a duplicate."""
    now = clock.now_ms()
    document = {"_id": messages.message_id_for(event.external_id), "session_id": event.session_id,
                "external_id": event.external_id, "conversation_id": None, "from": None, "to": None,
                "chat": event.chat, "direction": event.direction, "type": event.type, "text": event.text,
                "media": event.media, "error": None, "created_at": now, "updated_at": now,
                "awaiting_message": HELD, **message_status.initial_fields(event.status, event.at or now)}
    try:
        scoped(Message).insert_one(document)
    except DuplicateKeyError:  # held or stored already, or a parked status to fill
        if messages.fill_placeholder(document, event.status, event.at or now,
                                     messages.CONTENT_FIELDS + ("chat",)) is None:
            return False
    # A connection event may have brought the number while this was being held.
    own = _own_number(event.session_id, from_messages=False)
    if own:
        release(event.session_id, own)
    return True


def release(session_id: str, own: str) -> int:
    """Make the session's held messages visible and counted; how many."""
    return sum(messages.release_held(held, own) is not None
               for held in scoped(Message).find({"awaiting_message": HELD, "session_id": session_id}))


def release_where_known() -> int:
    """The upkeep's pass over the current tenant: release what can be released."""
    sessions = {held["session_id"] for held in scoped(Message).find({"awaiting_message": HELD},
                                                                    projection={"session_id": 1})}
    released = 0
    for session_id in sorted(sessions):
        own = _own_number(session_id)
        if own:
            released += release(session_id, own)
        else:
            log.warning("messages of session %s still wait for its own number", session_id)
    return released


def _own_number(session_id: str, from_messages: bool = True) -> str | None:
    """The session's number: as the session knows it, else (`from_messages`) as its
    latest visible message shows it."""
    session = scoped(GatewaySession).find_one({"session_id": session_id}, {"phone_number": 1})
    if session and session.get("phone_number"):
        return session["phone_number"]
    if not from_messages:
        return None
    for other in scoped(Message).find({"session_id": session_id, **VISIBLE}, sort=[("created_at", DESC)], limit=1):
        return other["to"] if other["direction"] == "in" else other["from"]
    return None
