from enum import StrEnum


class SessionStatus(StrEnum):
    CLOSE = "close"
    CONNECTING = "connecting"
    CREATING = "creating"
    DESTROYED = "destroyed"
    OPEN = "open"

    def __str__(self) -> str:
        return str(self.value)
