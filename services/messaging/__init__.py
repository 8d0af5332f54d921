"""Messages and their delivery status, conversations, held messages and gateway sessions."""
