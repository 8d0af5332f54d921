from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.chat_session_state import ChatSessionState


T = TypeVar("T", bound="ChatSession")


@_attrs_define
class ChatSession:
    """
    Attributes:
        phone (str):  Example: 5511912345678.
        state (ChatSessionState):  Example: {'flow': 'checkout', 'step': 2}.
        last_activity (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
        created_at (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
        updated_at (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
        expires_at (datetime.datetime): last_activity + the tenant's chat_session_ttl_hours; after it the session
            answers 404 and is no longer listed. Example: 2026-11-22T10:15:30.123Z.
    """

    phone: str
    state: ChatSessionState
    last_activity: datetime.datetime
    created_at: datetime.datetime
    updated_at: datetime.datetime
    expires_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        phone = self.phone

        state = self.state.to_dict()

        last_activity = self.last_activity.isoformat()

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "phone": phone,
                "state": state,
                "last_activity": last_activity,
                "created_at": created_at,
                "updated_at": updated_at,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.chat_session_state import ChatSessionState

        d = dict(src_dict)
        phone = d.pop("phone")

        state = ChatSessionState.from_dict(d.pop("state"))

        last_activity = datetime.datetime.fromisoformat(d.pop("last_activity"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        chat_session = cls(
            phone=phone,
            state=state,
            last_activity=last_activity,
            created_at=created_at,
            updated_at=updated_at,
            expires_at=expires_at,
        )

        return chat_session
