from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.message import Message


T = TypeVar("T", bound="Conversation")


@_attrs_define
class Conversation:
    """
    Attributes:
        conversation_id (str):  Example: 5511912345678:5511987654321.
        participants (list[str]):  Example: ['5511912345678', '5511987654321'].
        session_id (None | str):
        last_message (Message | None):
        last_message_at (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
        message_count (int):
        inbound_count (int):
        outbound_count (int):
        unread_count (int):
    """

    conversation_id: str
    participants: list[str]
    session_id: None | str
    last_message: Message | None
    last_message_at: datetime.datetime
    message_count: int
    inbound_count: int
    outbound_count: int
    unread_count: int

    def to_dict(self) -> dict[str, Any]:
        from ..models.message import Message

        conversation_id = self.conversation_id

        participants = self.participants

        session_id: None | str
        session_id = self.session_id

        last_message: dict[str, Any] | None
        if isinstance(self.last_message, Message):
            last_message = self.last_message.to_dict()
        else:
            last_message = self.last_message

        last_message_at = self.last_message_at.isoformat()

        message_count = self.message_count

        inbound_count = self.inbound_count

        outbound_count = self.outbound_count

        unread_count = self.unread_count

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "conversation_id": conversation_id,
                "participants": participants,
                "session_id": session_id,
                "last_message": last_message,
                "last_message_at": last_message_at,
                "message_count": message_count,
                "inbound_count": inbound_count,
                "outbound_count": outbound_count,
                "unread_count": unread_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.message import Message

        d = dict(src_dict)
        conversation_id = d.pop("conversation_id")

        participants = cast(list[str], d.pop("participants"))

        def _parse_session_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        session_id = _parse_session_id(d.pop("session_id"))

        def _parse_last_message(data: object) -> Message | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                last_message_type_1 = Message.from_dict(data)

                return last_message_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Message | None, data)

        last_message = _parse_last_message(d.pop("last_message"))

        last_message_at = datetime.datetime.fromisoformat(d.pop("last_message_at"))

        message_count = d.pop("message_count")

        inbound_count = d.pop("inbound_count")

        outbound_count = d.pop("outbound_count")

        unread_count = d.pop("unread_count")

        conversation = cls(
            conversation_id=conversation_id,
            participants=participants,
            session_id=session_id,
            last_message=last_message,
            last_message_at=last_message_at,
            message_count=message_count,
            inbound_count=inbound_count,
            outbound_count=outbound_count,
            unread_count=unread_count,
        )

        return conversation
