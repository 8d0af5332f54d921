from enum import StrEnum


class EventType(StrEnum):
    CONTACT_ERASED = "contact.erased"
    CONVERSATION_DELETED = "conversation.deleted"
    CONVERSATION_READ = "conversation.read"
    MESSAGE_CREATED = "message.created"
    MESSAGE_STATUS_CHANGED = "message.status_changed"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_COMPLETED = "order.completed"
    ORDER_CREATED = "order.created"
    SESSION_STATUS_CHANGED = "session.status_changed"

    def __str__(self) -> str:
        return str(self.value)
