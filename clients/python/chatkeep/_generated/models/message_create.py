from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.direction import Direction
from ..models.message_status import MessageStatus
from ..models.message_type import MessageType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.media import Media


T = TypeVar("T", bound="MessageCreate")


@_attrs_define
class MessageCreate:
    """
    Attributes:
        session_id (str):  Example: store-main.
        from_ (str):  Example: 5511987654321.
        to (str):  Example: 5511912345678.
        direction (Direction):
        type_ (MessageType | Unset):  Default: MessageType.TEXT.
        text (None | str | Unset):  Example: Olá! Seu pedido saiu para entrega..
        media (Media | None | Unset):
        external_id (str | Unset): The gateway's message id; the same id again returns the stored message. Example:
            3EB0C767D71D4F6B1A2B.
        status (MessageStatus | Unset):
        sent_at (datetime.datetime | Unset): When the message was sent or received (default: now); its initial status
            carries this time. A message dated at or before its contact's erasure is refused (409). Example:
            2026-11-22T10:15:30.123Z.
    """

    session_id: str
    from_: str
    to: str
    direction: Direction
    type_: MessageType | Unset = MessageType.TEXT
    text: None | str | Unset = UNSET
    media: Media | None | Unset = UNSET
    external_id: str | Unset = UNSET
    status: MessageStatus | Unset = UNSET
    sent_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.media import Media

        session_id = self.session_id

        from_ = self.from_

        to = self.to

        direction = self.direction.value

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        text: None | str | Unset
        if isinstance(self.text, Unset):
            text = UNSET
        else:
            text = self.text

        media: dict[str, Any] | None | Unset
        if isinstance(self.media, Unset):
            media = UNSET
        elif isinstance(self.media, Media):
            media = self.media.to_dict()
        else:
            media = self.media

        external_id = self.external_id

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        sent_at: str | Unset = UNSET
        if not isinstance(self.sent_at, Unset):
            sent_at = self.sent_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "session_id": session_id,
                "from": from_,
                "to": to,
                "direction": direction,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_
        if text is not UNSET:
            field_dict["text"] = text
        if media is not UNSET:
            field_dict["media"] = media
        if external_id is not UNSET:
            field_dict["external_id"] = external_id
        if status is not UNSET:
            field_dict["status"] = status
        if sent_at is not UNSET:
            field_dict["sent_at"] = sent_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.media import Media

        d = dict(src_dict)
        session_id = d.pop("session_id")

        from_ = d.pop("from")

        to = d.pop("to")

        direction = Direction(d.pop("direction"))

        _type_ = d.pop("type", UNSET)
        type_: MessageType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = MessageType(_type_)

        def _parse_text(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        text = _parse_text(d.pop("text", UNSET))

        def _parse_media(data: object) -> Media | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                media_type_1 = Media.from_dict(data)

                return media_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Media | None | Unset, data)

        media = _parse_media(d.pop("media", UNSET))

        external_id = d.pop("external_id", UNSET)

        _status = d.pop("status", UNSET)
        status: MessageStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = MessageStatus(_status)

        _sent_at = d.pop("sent_at", UNSET)
        sent_at: datetime.datetime | Unset
        if isinstance(_sent_at, Unset):
            sent_at = UNSET
        else:
            sent_at = datetime.datetime.fromisoformat(_sent_at)

        message_create = cls(
            session_id=session_id,
            from_=from_,
            to=to,
            direction=direction,
            type_=type_,
            text=text,
            media=media,
            external_id=external_id,
            status=status,
            sent_at=sent_at,
        )

        return message_create
