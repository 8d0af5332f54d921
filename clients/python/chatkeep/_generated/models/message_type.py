from enum import StrEnum


class MessageType(StrEnum):
    AUDIO = "audio"
    CONTACT = "contact"
    DOCUMENT = "document"
    IMAGE = "image"
    LOCATION = "location"
    OTHER = "other"
    REACTION = "reaction"
    STICKER = "sticker"
    TEXT = "text"
    VIDEO = "video"

    def __str__(self) -> str:
        return str(self.value)
