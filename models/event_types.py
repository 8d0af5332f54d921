"""The event types of the contract (docs/EVENTS.md): what a stored change is told as."""
EVENT_TYPES = ("message.created", "message.status_changed", "conversation.read", "conversation.deleted",
               "session.status_changed", "order.created", "order.completed", "order.cancelled", "contact.erased")
