"""WAHA webhooks: {id?, timestamp?, event, session, payload, me?}. Session = `session`."""
from services.clock import now_ms
from services.gateways.internal_events import Ignored, MessageEvent, SessionEvent, StatusEvent
from services.gateways.parsing import (
    PayloadError,
    dig,
    lookup,
    media,
    optional_phone,
    phone,
    required_str,
    seconds_to_ms,
    text_or_none,
)

ACK = {-1: "failed", 0: "pending", 1: "sent", 2: "delivered", 3: "read", 4: "played"}
ACK_NAME = {"ERROR": -1, "PENDING": 0, "SERVER": 1, "DEVICE": 2, "READ": 3, "PLAYED": 4}
SESSION_STATUS = {"STARTING": "connecting", "SCAN_QR_CODE": "connecting", "WORKING": "open",
                  "FAILED": "close", "STOPPED": "close"}


def parse(payload: dict) -> list:
    event = payload.get("event")
    handler = HANDLERS.get(event) if isinstance(event, str) else None
    if handler is None:
        return [Ignored(f"event '{event}' is not stored")]
    session_id = required_str(payload.get("session"), "session", 128)
    body = payload.get("payload")
    if not isinstance(body, dict):
        raise PayloadError("payload", "must be an object")
    return [handler(payload, session_id, body)]


def _status_of(body: dict) -> str | None:
    ack = body.get("ack")
    if isinstance(ack, bool) or not isinstance(ack, int):
        ack = lookup(ACK_NAME, body.get("ackName"))
    return lookup(ACK, ack)


def _message(payload: dict, session_id: str, body: dict) -> MessageEvent:
    external_id = required_str(body.get("id"), "payload.id")
    out = body.get("fromMe") is True
    chat = phone(body.get("to") if out else body.get("from"), "payload.to" if out else "payload.from")
    own = optional_phone(dig(payload, "me", "id")) or optional_phone(body.get("from") if out else body.get("to"))
    kind, attachment = "text", None
    if body.get("hasMedia") is True or isinstance(body.get("media"), dict):
        mime = dig(body, "media", "mimetype")
        kind = next((k for k in ("image", "audio", "video") if isinstance(mime, str) and mime.startswith(k)),
                    "document")
        attachment = media(dig(body, "media", "url"), mime, body.get("body"))
    text = None if attachment else text_or_none(body.get("body"))
    if kind == "text" and text is None:
        kind = "other"
    status = (_status_of(body) if out else None) or ("pending" if out else "delivered")
    return MessageEvent(session_id=session_id, external_id=external_id, chat=chat, own=own,
                        direction="out" if out else "in", type=kind, text=text, media=attachment,
                        status=status, at=seconds_to_ms(body.get("timestamp")))


def _ack(payload: dict, session_id: str, body: dict):
    external_id = required_str(body.get("id"), "payload.id")
    status = _status_of(body)
    if status is None:
        return Ignored(f"ack '{body.get('ack')}' is not a delivery status")
    error = "WAHA reported ack ERROR" if status == "failed" else None
    return StatusEvent(session_id=session_id, external_id=external_id, status=status, at=now_ms(), error=error)


def _session(payload: dict, session_id: str, body: dict):
    status = lookup(SESSION_STATUS, body.get("status"))
    if status is None:
        raise PayloadError("payload.status", f"must be one of {', '.join(SESSION_STATUS)}")
    return SessionEvent(session_id=session_id, status=status, phone_number=optional_phone(dig(payload, "me", "id")))


HANDLERS = {"message": _message, "message.any": _message, "message.ack": _ack, "session.status": _session}
