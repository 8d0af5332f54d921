from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.event_type import EventType

if TYPE_CHECKING:
    from ..models.event_data import EventData


T = TypeVar("T", bound="Event")


@_attrs_define
class Event:
    """
    Attributes:
        specversion (str):  Example: 1.0.
        id (str): Unique; consumers dedupe on it. Example: 9f2c4e1a0b7d4c3e8a1f6b5d2e9c0a7b.
        source (str):  Example: /tenants/acme.
        type_ (EventType):
        time (datetime.datetime): When the change happened.
        subject (str):  Example: 5511912345678:5511987654321.
        datacontenttype (str):  Example: application/json.
        data (EventData): Depends on `type`: `message.created` and `message.status_changed` (subject: the conversation
            id, or the group's chat id; data: the message after the change), `conversation.read` and `conversation.deleted`
            (subject: the conversation id; data: {conversation_id, at}), `session.status_changed` (subject: the session id;
            data: the session, also on its creation), `order.created`, `order.completed`, `order.cancelled` (subject: the
            order id; data: the order), `contact.erased` (subject: the phone; data: {phone, erased_at, erased: counts}:
            erase it downstream too).
    """

    specversion: str
    id: str
    source: str
    type_: EventType
    time: datetime.datetime
    subject: str
    datacontenttype: str
    data: EventData

    def to_dict(self) -> dict[str, Any]:
        specversion = self.specversion

        id = self.id

        source = self.source

        type_ = self.type_.value

        time = self.time.isoformat()

        subject = self.subject

        datacontenttype = self.datacontenttype

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "specversion": specversion,
                "id": id,
                "source": source,
                "type": type_,
                "time": time,
                "subject": subject,
                "datacontenttype": datacontenttype,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_data import EventData

        d = dict(src_dict)
        specversion = d.pop("specversion")

        id = d.pop("id")

        source = d.pop("source")

        type_ = EventType(d.pop("type"))

        time = datetime.datetime.fromisoformat(d.pop("time"))

        subject = d.pop("subject")

        datacontenttype = d.pop("datacontenttype")

        data = EventData.from_dict(d.pop("data"))

        event = cls(
            specversion=specversion,
            id=id,
            source=source,
            type_=type_,
            time=time,
            subject=subject,
            datacontenttype=datacontenttype,
            data=data,
        )

        return event
