from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.chat_session import ChatSession
    from ..models.conversation import Conversation
    from ..models.message import Message
    from ..models.order import Order


T = TypeVar("T", bound="ContactExport")


@_attrs_define
class ContactExport:
    """
    Attributes:
        phone (str):  Example: 5511912345678.
        exported_at (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
        messages (list[Message]):
        conversations (list[Conversation]):
        chat_session (ChatSession | None):
        orders (list[Order]):
    """

    phone: str
    exported_at: datetime.datetime
    messages: list[Message]
    conversations: list[Conversation]
    chat_session: ChatSession | None
    orders: list[Order]

    def to_dict(self) -> dict[str, Any]:
        from ..models.chat_session import ChatSession

        phone = self.phone

        exported_at = self.exported_at.isoformat()

        messages = []
        for messages_item_data in self.messages:
            messages_item = messages_item_data.to_dict()
            messages.append(messages_item)

        conversations = []
        for conversations_item_data in self.conversations:
            conversations_item = conversations_item_data.to_dict()
            conversations.append(conversations_item)

        chat_session: dict[str, Any] | None
        if isinstance(self.chat_session, ChatSession):
            chat_session = self.chat_session.to_dict()
        else:
            chat_session = self.chat_session

        orders = []
        for orders_item_data in self.orders:
            orders_item = orders_item_data.to_dict()
            orders.append(orders_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "phone": phone,
                "exported_at": exported_at,
                "messages": messages,
                "conversations": conversations,
                "chat_session": chat_session,
                "orders": orders,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.chat_session import ChatSession
        from ..models.conversation import Conversation
        from ..models.message import Message
        from ..models.order import Order

        d = dict(src_dict)
        phone = d.pop("phone")

        exported_at = datetime.datetime.fromisoformat(d.pop("exported_at"))

        messages = []
        _messages = d.pop("messages")
        for messages_item_data in _messages:
            messages_item = Message.from_dict(messages_item_data)

            messages.append(messages_item)

        conversations = []
        _conversations = d.pop("conversations")
        for conversations_item_data in _conversations:
            conversations_item = Conversation.from_dict(conversations_item_data)

            conversations.append(conversations_item)

        def _parse_chat_session(data: object) -> ChatSession | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                chat_session_type_1 = ChatSession.from_dict(data)

                return chat_session_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChatSession | None, data)

        chat_session = _parse_chat_session(d.pop("chat_session"))

        orders = []
        _orders = d.pop("orders")
        for orders_item_data in _orders:
            orders_item = Order.from_dict(orders_item_data)

            orders.append(orders_item)

        contact_export = cls(
            phone=phone,
            exported_at=exported_at,
            messages=messages,
            conversations=conversations,
            chat_session=chat_session,
            orders=orders,
        )

        return contact_export
