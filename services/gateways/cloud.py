"""Meta WhatsApp Cloud API webhooks: {object, entry[].changes[].value}.

Session = metadata.phone_number_id; own number = metadata.display_phone_number. A
batch is processed item by item: a bad item becomes a Rejected, the others go on.
"""
from services.gateways.internal_events import Ignored, MessageEvent, Rejected, StatusEvent
from services.gateways.parsing import PayloadError, dig, lookup, media, phone, required_str, seconds_to_ms, text_or_none

STATUS = {"sent": "sent", "delivered": "delivered", "read": "read", "played": "played", "failed": "failed"}
MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})


def parse(payload: dict) -> list:
    if payload.get("object") != "whatsapp_business_account":
        raise PayloadError("object", "must be 'whatsapp_business_account'")
    entries = payload.get("entry")
    if not isinstance(entries, list):
        raise PayloadError("entry", "must be a list")
    events = []
    for e, entry in enumerate(entries):
        changes = dig(entry, "changes")
        for c, change in enumerate(changes if isinstance(changes, list) else []):
            events += _change(change, f"entry[{e}].changes[{c}]")
    return events


def _change(change, where: str) -> list:
    if dig(change, "field") != "messages" or not isinstance(dig(change, "value"), dict):
        return [Ignored(f"{where}: field '{dig(change, 'field')}' is not stored")]
    value = change["value"]
    try:
        session_id = required_str(dig(value, "metadata", "phone_number_id"), "metadata.phone_number_id", 128)
        own = phone(dig(value, "metadata", "display_phone_number"), "metadata.display_phone_number")
    except PayloadError as exc:
        return [Rejected(where, str(exc))]
    events = []
    for kind, parse_item in (("messages", _message), ("statuses", _status)):
        items = value.get(kind)
        for i, item in enumerate(items if isinstance(items, list) else []):
            try:
                events.append(parse_item(item, session_id, own))
            except PayloadError as exc:
                events.append(Rejected(f"{where}.value.{kind}[{i}]", str(exc)))
    return events


def _message(item, session_id: str, own: str) -> MessageEvent:
    if not isinstance(item, dict):
        raise PayloadError("message", "must be an object")
    external_id = required_str(item.get("id"), "id")
    chat = phone(item.get("from"), "from")
    kind = item.get("type") if isinstance(item.get("type"), str) else "other"
    text, attachment = None, None
    if kind == "text":
        text = text_or_none(dig(item, "text", "body"))
    elif kind in MEDIA_TYPES:
        body = item.get(kind) if isinstance(item.get(kind), dict) else {}
        attachment = media(None, body.get("mime_type"), body.get("caption") or body.get("filename"), body.get("id"))
    elif kind == "location":
        loc = item.get("location") if isinstance(item.get("location"), dict) else {}
        text = " ".join(str(loc[k]) for k in ("latitude", "longitude", "name", "address")
                        if isinstance(loc.get(k), (int, float, str)) and loc.get(k) != "") or None
    elif kind == "reaction":
        text = text_or_none(dig(item, "reaction", "emoji"))
    elif kind in ("button", "interactive"):
        text = text_or_none(dig(item, "button", "text") or dig(item, "interactive", "button_reply", "title")
                            or dig(item, "interactive", "list_reply", "title"))
        kind = "other"
    elif kind == "contacts":
        kind = "contact"
    else:
        kind = "other"
    if kind == "text" and text is None:
        kind = "other"
    return MessageEvent(session_id=session_id, external_id=external_id, chat=chat, own=own, direction="in",
                        type=kind, text=text, media=attachment, status="delivered",
                        at=seconds_to_ms(item.get("timestamp")))


def _status(item, session_id: str, own: str):
    if not isinstance(item, dict):
        raise PayloadError("status", "must be an object")
    external_id = required_str(item.get("id"), "id")
    status = lookup(STATUS, item.get("status"))
    if status is None:
        return Ignored(f"status '{item.get('status')}' is not a delivery status")
    return StatusEvent(session_id=session_id, external_id=external_id, status=status,
                       at=seconds_to_ms(item.get("timestamp")), error=_error(item.get("errors")))


def _error(errors) -> str | None:
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else None
    if first is None:
        return None
    parts = [first.get("code"), first.get("title"), dig(first, "error_data", "details") or first.get("message")]
    return " ".join(str(p) for p in parts if isinstance(p, (int, str)) and p != "")[:2000] or None
