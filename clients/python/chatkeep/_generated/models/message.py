from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.direction import Direction
from ..models.message_status import MessageStatus
from ..models.message_type import MessageType

if TYPE_CHECKING:
    from ..models.media import Media
    from ..models.message_status_history_item import MessageStatusHistoryItem


T = TypeVar("T", bound="Message")


@_attrs_define
class Message:
    """
    Attributes:
        id (str):  Example: 6740a1b2c3d4e5f601234567.
        session_id (str):
        external_id (None | str):
        conversation_id (str):  Example: 5511912345678:5511987654321.
        from_ (str):  Example: 5511912345678.
        to (str):  Example: 5511987654321.
        direction (Direction):
        type_ (MessageType):
        text (None | str):
        media (Media | None):
        status (MessageStatus):
        status_history (list[MessageStatusHistoryItem]):  Example: [{'status': 'sent', 'at':
            '2026-11-22T10:15:30.123Z'}].
        error (None | str):
        sent_at (datetime.datetime | None): When the message first reached this status, or null.
        delivered_at (datetime.datetime | None): When the message first reached this status, or null.
        read_at (datetime.datetime | None): When the message first reached this status, or null.
        failed_at (datetime.datetime | None): When the message first reached this status, or null.
        created_at (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
        updated_at (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
    """

    id: str
    session_id: str
    external_id: None | str
    conversation_id: str
    from_: str
    to: str
    direction: Direction
    type_: MessageType
    text: None | str
    media: Media | None
    status: MessageStatus
    status_history: list[MessageStatusHistoryItem]
    error: None | str
    sent_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    read_at: datetime.datetime | None
    failed_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        from ..models.media import Media

        id = self.id

        session_id = self.session_id

        external_id: None | str
        external_id = self.external_id

        conversation_id = self.conversation_id

        from_ = self.from_

        to = self.to

        direction = self.direction.value

        type_ = self.type_.value

        text: None | str
        text = self.text

        media: dict[str, Any] | None
        if isinstance(self.media, Media):
            media = self.media.to_dict()
        else:
            media = self.media

        status = self.status.value

        status_history = []
        for status_history_item_data in self.status_history:
            status_history_item = status_history_item_data.to_dict()
            status_history.append(status_history_item)

        error: None | str
        error = self.error

        sent_at: None | str
        if isinstance(self.sent_at, datetime.datetime):
            sent_at = self.sent_at.isoformat()
        else:
            sent_at = self.sent_at

        delivered_at: None | str
        if isinstance(self.delivered_at, datetime.datetime):
            delivered_at = self.delivered_at.isoformat()
        else:
            delivered_at = self.delivered_at

        read_at: None | str
        if isinstance(self.read_at, datetime.datetime):
            read_at = self.read_at.isoformat()
        else:
            read_at = self.read_at

        failed_at: None | str
        if isinstance(self.failed_at, datetime.datetime):
            failed_at = self.failed_at.isoformat()
        else:
            failed_at = self.failed_at

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "session_id": session_id,
                "external_id": external_id,
                "conversation_id": conversation_id,
                "from": from_,
                "to": to,
                "direction": direction,
                "type": type_,
                "text": text,
                "media": media,
                "status": status,
                "status_history": status_history,
                "error": error,
                "sent_at": sent_at,
                "delivered_at": delivered_at,
                "read_at": read_at,
                "failed_at": failed_at,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.media import Media
        from ..models.message_status_history_item import MessageStatusHistoryItem

        d = dict(src_dict)
        id = d.pop("id")

        session_id = d.pop("session_id")

        def _parse_external_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        external_id = _parse_external_id(d.pop("external_id"))

        conversation_id = d.pop("conversation_id")

        from_ = d.pop("from")

        to = d.pop("to")

        direction = Direction(d.pop("direction"))

        type_ = MessageType(d.pop("type"))

        def _parse_text(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        text = _parse_text(d.pop("text"))

        def _parse_media(data: object) -> Media | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                media_type_1 = Media.from_dict(data)

                return media_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Media | None, data)

        media = _parse_media(d.pop("media"))

        status = MessageStatus(d.pop("status"))

        status_history = []
        _status_history = d.pop("status_history")
        for status_history_item_data in _status_history:
            status_history_item = MessageStatusHistoryItem.from_dict(status_history_item_data)

            status_history.append(status_history_item)

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        def _parse_sent_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sent_at_type_0 = datetime.datetime.fromisoformat(data)

                return sent_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        sent_at = _parse_sent_at(d.pop("sent_at"))

        def _parse_delivered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                delivered_at_type_0 = datetime.datetime.fromisoformat(data)

                return delivered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        delivered_at = _parse_delivered_at(d.pop("delivered_at"))

        def _parse_read_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                read_at_type_0 = datetime.datetime.fromisoformat(data)

                return read_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        read_at = _parse_read_at(d.pop("read_at"))

        def _parse_failed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                failed_at_type_0 = datetime.datetime.fromisoformat(data)

                return failed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        failed_at = _parse_failed_at(d.pop("failed_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        message = cls(
            id=id,
            session_id=session_id,
            external_id=external_id,
            conversation_id=conversation_id,
            from_=from_,
            to=to,
            direction=direction,
            type_=type_,
            text=text,
            media=media,
            status=status,
            status_history=status_history,
            error=error,
            sent_at=sent_at,
            delivered_at=delivered_at,
            read_at=read_at,
            failed_at=failed_at,
            created_at=created_at,
            updated_at=updated_at,
        )

        return message
