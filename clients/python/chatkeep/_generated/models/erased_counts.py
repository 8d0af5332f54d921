from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ErasedCounts")


@_attrs_define
class ErasedCounts:
    """
    Attributes:
        messages (int):
        conversations (int):
        chat_sessions (int):
        orders_anonymised (int):
        archived_webhooks (int):
        events (int): Events about the contact removed from the event log.
        deliveries (int): Webhook deliveries of those events removed (the contact.erased event's are never).
    """

    messages: int
    conversations: int
    chat_sessions: int
    orders_anonymised: int
    archived_webhooks: int
    events: int
    deliveries: int

    def to_dict(self) -> dict[str, Any]:
        messages = self.messages

        conversations = self.conversations

        chat_sessions = self.chat_sessions

        orders_anonymised = self.orders_anonymised

        archived_webhooks = self.archived_webhooks

        events = self.events

        deliveries = self.deliveries

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "messages": messages,
                "conversations": conversations,
                "chat_sessions": chat_sessions,
                "orders_anonymised": orders_anonymised,
                "archived_webhooks": archived_webhooks,
                "events": events,
                "deliveries": deliveries,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        messages = d.pop("messages")

        conversations = d.pop("conversations")

        chat_sessions = d.pop("chat_sessions")

        orders_anonymised = d.pop("orders_anonymised")

        archived_webhooks = d.pop("archived_webhooks")

        events = d.pop("events")

        deliveries = d.pop("deliveries")

        erased_counts = cls(
            messages=messages,
            conversations=conversations,
            chat_sessions=chat_sessions,
            orders_anonymised=orders_anonymised,
            archived_webhooks=archived_webhooks,
            events=events,
            deliveries=deliveries,
        )

        return erased_counts
