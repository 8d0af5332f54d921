"""The one storage path of every gateway: internal events in, counts out.

Each event is stored on its own: a duplicate or a rejected item never stops the rest.
"""

from services import json_text
from services.gateways.internal_events import Ignored, MessageEvent, Rejected, SessionEvent, StatusEvent
from services.messaging import conversations, gateway_sessions, held_messages, messages
from services.privacy import ledger


def parser_for(gateway: str):
    from services.gateways import cloud, evolution, waha

    return {"evolution": evolution.parse, "waha": waha.parse, "cloud": cloud.parse}[gateway]


def store_received(record: dict, repairs: set | None = None) -> dict:
    """Store a verified webhook body received earlier (the spool, the archive) as if
    it had just arrived: {"tenant_id", "gateway", "body"}.

    The outage that spooled it may have cut the first attempt between a message's
    insert and its summary update, and newer messages may have been counted since (so
    the live path's check, conversation_repairs.mark_if_uncounted, cannot tell): a
    duplicate here re-derives its conversation's summary, at once, or, given
    `repairs`, by the caller once it has replayed every body (a conversation met in
    many bodies is then re-derived once, not once per body).
    """
    from models.tenancy import tenant_scope

    with tenant_scope(record["tenant_id"]):
        pending = set() if repairs is None else repairs
        counts = ingest(parser_for(record["gateway"])(json_text.loads(record["body"], replace=True)), pending)
        if repairs is None:
            repair_summaries(pending)
        return counts


def repair_summaries(conversation_ids: set) -> None:
    """Re-derive the current tenant's summaries of `conversation_ids` from their messages."""
    for conversation_id in sorted(conversation_ids):
        conversations.rebuild_summaries(conversation_id)


def ingest(events: list, repairs: set | None = None) -> dict:
    """Store `events`; given `repairs`, the conversations of duplicates are added to it."""
    counts = {"accepted": 0, "duplicates": 0, "ignored": 0}
    rejected = []
    own_numbers: dict[str, str | None] = {}
    for event in events:
        if isinstance(event, MessageEvent):
            fields = _message_fields(event, own_numbers)
            try:
                if fields["from"] is None:  # the session's own number is unknown yet
                    created = held_messages.hold(fields)
                    counts["held"] = counts.get("held", 0) + int(created)
                else:
                    stored, created = messages.record_message(fields, repair=repairs is None)
                    if repairs is not None and not created and stored is not None:
                        repairs.add(stored["conversation_id"])
            except ledger.ContactErased:  # a re-sent or replayed message of an erased contact
                counts["ignored"] += 1
                continue
            counts["accepted" if created else "duplicates"] += 1
        elif isinstance(event, StatusEvent):
            messages.record_status(event.external_id, event.status, event.at, event.error)
            counts["accepted"] += 1
        elif isinstance(event, SessionEvent):
            gateway_sessions.upsert_session(event.session_id, event.status, event.phone_number)
            counts["accepted"] += 1
        elif isinstance(event, Rejected):
            rejected.append({"item": event.index, "detail": event.detail})
        elif isinstance(event, Ignored):
            counts["ignored"] += 1
    if rejected:
        counts.update(rejected=len(rejected), errors=rejected)
    return counts


def _message_fields(event: MessageEvent, own_numbers: dict) -> dict:
    """The message as messages.record_message takes it; without ends (`from` and `to`
    None) when neither the payload nor the session knows the session's own number."""
    if not event.own and event.session_id not in own_numbers:  # one read per session and request
        own_numbers[event.session_id] = held_messages.own_number(event.session_id)
    own = event.own or own_numbers[event.session_id]
    sender, recipient = messages.ends(event.direction, event.chat, own) if own else (None, None)
    return {"session_id": event.session_id, "external_id": event.external_id, "from": sender, "to": recipient,
            "chat": event.chat, "direction": event.direction, "type": event.type, "text": event.text,
            "media": event.media, "status": event.status, "at": event.at}
