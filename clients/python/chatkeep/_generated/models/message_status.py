from enum import StrEnum


class MessageStatus(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    PENDING = "pending"
    PLAYED = "played"
    READ = "read"
    SENT = "sent"

    def __str__(self) -> str:
        return str(self.value)
