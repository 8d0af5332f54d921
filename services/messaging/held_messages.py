"""Messages whose session's own number is not known yet, kept until it is.

A gateway payload may name no sender (Evolution without `sender`, before any connection
event has told ChatKeep the session's number): the message's conversation cannot be
named yet, but the gateway delivered it and will not send it again. It is stored
invisible (`awaiting_message: HELD`), the other party in `chat`, and released (given
its from, to and conversation, and counted in its summary) once the session's number
is known: at once when a connection event or `PUT /sessions` brings the number, or
when a copy of the message names its ends (the gateway resending it with its sender, a
client recording it), else by the hourly upkeep, which also reads the number off the
session's other messages.
Statuses apply to a held message as to any other.
"""
import logging

from pymongo.errors import DuplicateKeyError

from models.collections import scoped
from models.gateway_session import GatewaySession
from models.message import HELD, VISIBLE, Message
from services import clock
from services.messaging import messages, search_index
from services.privacy import ledger
from services.pagination import DESC

log = logging.getLogger(__name__)


def hold(fields: dict) -> bool:
    """Keep a message without ends (`fields` as messages.record_message takes them,
    `from` and `to` None, the other party in `chat`) until its session's number is
    known; False if it is a duplicate."""
    now = clock.now_ms()
    ledger.refuse_if_erased((fields.get("chat"),), fields.get("at") or now)
    document = messages.new_document(fields, now)
    try:
        scoped(Message).insert_one(document)
    except DuplicateKeyError:  # held or stored already, or a parked status to fill
        if messages.fill_placeholder(document, messages.initial_status(fields), fields.get("at") or now,
                                     messages.CONTENT_FIELDS + ("chat",)) is None:
            return False
    search_index.post(document)
    # A connection event may have brought the number while this was being held.
    own = own_number(fields["session_id"])
    if own:
        release(fields["session_id"], own)
    return True


def own_number(session_id: str) -> str | None:
    """The session's own phone number, if a connection event or a client has told it."""
    session = scoped(GatewaySession).find_one({"session_id": session_id}, {"phone_number": 1})
    return (session or {}).get("phone_number") or None


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
        own = _known_number(session_id)
        if own:
            released += release(session_id, own)
        else:
            log.warning("messages of session %s still wait for its own number", session_id)
    return released


def _known_number(session_id: str) -> str | None:
    """The session's number: as the session knows it, else as its latest visible
    message shows it."""
    own = own_number(session_id)
    if own:
        return own
    for other in scoped(Message).find({"session_id": session_id, **VISIBLE}, sort=[("created_at", DESC)], limit=1):
        return messages.own_end(other)
    return None
