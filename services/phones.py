"""One phone normalisation for all of ChatKeep, built on `phonenumbers`.

Phones are stored as digits, country code first (WhatsApp's wa_id form). Any accepted
spelling of the same number yields the same digits. A number is accepted when it is a
*possible* E.164 number for its country (right length); whether the metadata calls it
assigned does not matter, because a gateway already delivered it and refusing it
would lose data. Group chats and LIDs are chat ids, kept as given.
"""
import re
from functools import lru_cache

import phonenumbers

CHAT_ID_SUFFIXES = ("@g.us", "@lid", "@broadcast", "@newsletter")
PHONE_JID_SUFFIXES = ("@s.whatsapp.net", "@c.us")
_FORMATTING = re.compile(r"[\s\-().]")
_DEVICE_SUFFIX = re.compile(r":\d+$")  # "5511...:12@s.whatsapp.net" names a device
MAX_INPUT_LENGTH = 64


class InvalidPhone(ValueError):
    """Not a phone number or chat id ChatKeep accepts."""


def is_chat_id(value: str) -> bool:
    return value.endswith(CHAT_ID_SUFFIXES)


def normalize_phone(raw: str) -> str:
    """Digits with country code (`5511987654321`), or a group/LID chat id unchanged."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidPhone("must be a phone number")
    return _normalize(raw)


@lru_cache(maxsize=65536)  # a bot talks to the same numbers again and again; parsing is costly
def _normalize(raw: str) -> str:
    value = raw.strip()
    if len(value) > MAX_INPUT_LENGTH:
        raise InvalidPhone("is too long to be a phone number")
    if is_chat_id(value):
        if not re.fullmatch(r"[\w.:+-]+@[a-z.]+", value):
            raise InvalidPhone("is not a valid chat id")
        return value
    for suffix in PHONE_JID_SUFFIXES:
        if value.endswith(suffix):
            value = _DEVICE_SUFFIX.sub("", value[: -len(suffix)])
            break
    digits = _FORMATTING.sub("", value)
    if digits.startswith("+"):
        digits = digits[1:]
    if not digits.isdigit():
        raise InvalidPhone("may hold only digits, '+', spaces, dashes, parentheses or a JID suffix")
    try:
        parsed = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        raise InvalidPhone("has no valid country code") from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhone("is not a possible number for its country (wrong length)")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)[1:]


def conversation_id_for(a: str, b: str) -> str:
    """The id of the unordered pair of two normalised numbers: "<smaller>:<larger>"."""
    first, second = sorted((a, b))
    return f"{first}:{second}"
