"""The one internal event type every gateway parser produces (see services/gateways/parsing.py)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class MessageEvent:
    """A message seen by a gateway. `own` is the session's number when the payload says it."""
    session_id: str
    external_id: str
    chat: str  # the other party: a phone's digits, or a group/LID chat id
    own: str | None
    direction: str  # "in" | "out"
    type: str
    text: str | None
    media: dict | None
    status: str
    at: int  # ms


@dataclass(frozen=True)
class StatusEvent:
    session_id: str
    external_id: str
    status: str
    at: int
    error: str | None = None


@dataclass(frozen=True)
class SessionEvent:
    session_id: str
    status: str
    phone_number: str | None = None


@dataclass(frozen=True)
class Ignored:
    reason: str


@dataclass(frozen=True)
class Rejected:
    """One bad item of a batch: reported, and the others still processed."""
    index: str
    detail: str

