"""Waking the webhook engine on this host (services.events.webhook_engine) when a worker
has just committed a change: one byte over services.events.local_wake, b"w" for events,
b"e" when endpoints changed, b"l" when a lane ended. A missing listener costs nothing:
the engine then finds the work at its next poll.
"""
from services.events import local_wake

EVENTS = b"w"
ENDPOINTS = b"e"
LANE_ENDED = b"l"
LISTENER = "webhooks"


def nudge(kind: bytes = EVENTS) -> None:
    """Tell this host's engine, if it listens here, that there is something new."""
    local_wake.send(LISTENER, kind)


class Listener(local_wake.Listener):
    """The engine's end; `wait` returns the kinds received (empty on timeout)."""

    def __init__(self):
        super().__init__(LISTENER)
