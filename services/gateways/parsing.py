"""Gateway payload parsers: Evolution API, WAHA and WhatsApp Cloud API payloads in,
internal events (services.gateways.internal_events) out.

Parsers trust nothing: every field is type-checked, so any JSON yields events or a
PayloadError (a known event missing what it needs: 422), never an exception.
"""
import re

from services.clock import LATEST_MS, now_ms
from services.phones import InvalidPhone, normalize_phone


class PayloadError(ValueError):
    """A known event lacks a required field or has one of the wrong kind."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def dig(value, *path):
    """value[path[0]][path[1]]..., or None when any step is missing or not a dict."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def lookup(table: dict, key):
    """table[key] for a str or int key; None for anything else (lists are unhashable)."""
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        return None
    return table.get(key)


def text_or_none(value, limit: int = 65536) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def required_str(value, field: str, limit: int = 256) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise PayloadError(field, "is required (a non-empty string)")
    return value


def phone(value, field: str) -> str:
    try:
        return normalize_phone(value)
    except InvalidPhone as exc:
        raise PayloadError(field, f"is not a phone number or chat id ({exc})") from None


def optional_phone(value) -> str | None:
    try:
        return normalize_phone(value) if isinstance(value, str) and value else None
    except InvalidPhone:
        return None


# A gateway's time is plausible from 2000-01-01 up to the latest time ChatKeep stores.
PLAUSIBLE_MS = (946_684_800_000, LATEST_MS)
# Numbers in strings: ASCII digits only. str.isdigit() is also true for "²" (int() raises)
# and str.isdecimal() for "٣" and fullwidth "３" (int() reads them); the length bound keeps
# int() under Python's 4,300-digit limit and any match far past PLAUSIBLE_MS anyway.
ASCII_INTEGER = re.compile(r"[0-9]{1,20}")


def ascii_int(value) -> int | None:
    """A string of ASCII digits (surrounding whitespace allowed) as an int; None for
    anything else, whatever int() would make of it."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return int(text) if ASCII_INTEGER.fullmatch(text) else None


def seconds_to_ms(value) -> int:
    """A gateway timestamp in seconds (int, numeric string, float, or a protobuf Long
    object {low, high}) as epoch ms; now when absent or implausible."""
    if isinstance(value, dict) and isinstance(value.get("low"), int):
        high = value.get("high") if isinstance(value.get("high"), int) else 0
        value = (high << 32) + (value["low"] & 0xFFFFFFFF)
    if isinstance(value, str):
        value = ascii_int(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and \
            PLAUSIBLE_MS[0] < value * 1000 < PLAUSIBLE_MS[1]:
        return int(value * 1000)
    return now_ms()


def ms_or_now(value) -> int:
    """A gateway timestamp already in epoch ms; now when absent or implausible (a
    number too large for the database would fail the write)."""
    if isinstance(value, int) and not isinstance(value, bool) and PLAUSIBLE_MS[0] < value < PLAUSIBLE_MS[1]:
        return value
    return now_ms()


def media(url=None, mime_type=None, caption=None, media_id=None) -> dict:
    return {"url": text_or_none(url, 4096), "mime_type": text_or_none(mime_type, 255),
            "caption": text_or_none(caption, 4096), "id": text_or_none(media_id, 256)}
