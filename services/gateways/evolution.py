"""Evolution API v2 webhooks (and the v1 shapes it still sends).

Envelope {event, instance, data, sender, date_time, ...}. Session = the instance name;
the session's own number comes from `sender` (a JID), when the gateway knows it.
"""
from services.gateways.internal_events import Ignored, MessageEvent, SessionEvent, StatusEvent
from services.gateways.parsing import (
    PayloadError,
    dig,
    lookup,
    media,
    ms_or_now,
    optional_phone,
    phone,
    required_str,
    seconds_to_ms,
    text_or_none,
)

# Evolution's names and Baileys' numeric codes for delivery status.
STATUS = {"ERROR": "failed", "PENDING": "pending", "SERVER_ACK": "sent", "DELIVERY_ACK": "delivered",
          "READ": "read", "PLAYED": "played",
          0: "failed", 1: "pending", 2: "sent", 3: "delivered", 4: "read", 5: "played"}
SESSION_STATE = {"open": "open", "connecting": "connecting", "close": "close", "refused": "close"}
MEDIA_TYPES = {"imageMessage": "image", "audioMessage": "audio", "videoMessage": "video",
               "documentMessage": "document", "documentWithCaptionMessage": "document",
               "stickerMessage": "sticker", "ptvMessage": "video"}


def parse(payload: dict) -> list:
    event = str(payload.get("event") or "").lower().replace("_", ".")
    handler = HANDLERS.get(event)
    if handler is None:
        return [Ignored(f"event '{event}' is not stored")]
    session_id = required_str(payload.get("instance"), "instance", 128)
    data = payload.get("data")
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        raise PayloadError("data", "must be an object")
    return [handler(payload, session_id, item) for item in items]


def _message(payload: dict, session_id: str, data: dict) -> MessageEvent:
    key = data.get("key")
    if not isinstance(key, dict):
        raise PayloadError("data.key", "is required")
    external_id = required_str(key.get("id"), "data.key.id")
    chat = phone(key.get("remoteJid"), "data.key.remoteJid")
    out = key.get("fromMe") is True
    kind, text, attachment = _content(data.get("message"))
    status = lookup(STATUS, data.get("status")) or ("pending" if out else "delivered")
    return MessageEvent(session_id=session_id, external_id=external_id, chat=chat,
                        own=optional_phone(payload.get("sender")), direction="out" if out else "in",
                        type=kind, text=text, media=attachment, status=status,
                        at=seconds_to_ms(data.get("messageTimestamp")))


def _content(message) -> tuple[str, str | None, dict | None]:
    if not isinstance(message, dict):
        return "other", None, None
    if text_or_none(message.get("conversation")):
        return "text", text_or_none(message["conversation"]), None
    if text_or_none(dig(message, "extendedTextMessage", "text")):
        return "text", text_or_none(dig(message, "extendedTextMessage", "text")), None
    for field, kind in MEDIA_TYPES.items():
        body = message.get(field)
        if field == "documentWithCaptionMessage":
            body = dig(body, "message", "documentMessage")
        if isinstance(body, dict):
            return kind, None, media(body.get("url"), body.get("mimetype"),
                                     body.get("caption") or body.get("fileName"))
    location = message.get("locationMessage") or message.get("liveLocationMessage")
    if isinstance(location, dict):
        parts = [location.get("degreesLatitude"), location.get("degreesLongitude"), location.get("name"),
                 location.get("address")]
        return "location", " ".join(str(p) for p in parts if isinstance(p, (int, float, str)) and p != ""), None
    if isinstance(message.get("contactMessage"), dict) or isinstance(message.get("contactsArrayMessage"), dict):
        name = dig(message, "contactMessage", "displayName") or dig(message, "contactsArrayMessage", "displayName")
        return "contact", text_or_none(name), None
    if isinstance(message.get("reactionMessage"), dict):
        return "reaction", text_or_none(dig(message, "reactionMessage", "text")), None
    return "other", None, None


def _update(payload: dict, session_id: str, data: dict):
    external_id = data.get("keyId") or data.get("id") or dig(data, "key", "id")
    external_id = required_str(external_id, "data.keyId")
    status = lookup(STATUS, data.get("status"))
    if status is None:  # DELETED, EDITED, or a status we do not know: not a delivery status
        return Ignored(f"status '{data.get('status')}' is not a delivery status")
    return StatusEvent(session_id=session_id, external_id=external_id, status=status,
                       at=ms_or_now(data.get("datetime")))  # v1: ms


def _connection(payload: dict, session_id: str, data: dict):
    status = lookup(SESSION_STATE, data.get("state"))
    if status is None:
        raise PayloadError("data.state", "must be one of open, connecting, close, refused")
    return SessionEvent(session_id=session_id, status=status,
                        phone_number=optional_phone(data.get("wuid")) or optional_phone(payload.get("sender")))


def _qrcode(payload: dict, session_id: str, data: dict):
    return SessionEvent(session_id=session_id, status="connecting")


HANDLERS = {"messages.upsert": _message, "send.message": _message, "messages.update": _update,
            "connection.update": _connection, "qrcode.updated": _qrcode}
