from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EventData")


@_attrs_define
class EventData:
    """Depends on `type`: `message.created` and `message.status_changed` (subject: the conversation id, or the group's chat
    id; data: the message after the change), `conversation.read` and `conversation.deleted` (subject: the conversation
    id; data: {conversation_id, at}), `session.status_changed` (subject: the session id; data: the session, also on its
    creation), `order.created`, `order.completed`, `order.cancelled` (subject: the order id; data: the order),
    `contact.erased` (subject: the phone; data: {phone, erased_at, erased: counts}: erase it downstream too).

    """

    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        event_data = cls()

        event_data.additional_properties = d
        return event_data

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
