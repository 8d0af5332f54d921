from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.chat_session_put_state import ChatSessionPutState


T = TypeVar("T", bound="ChatSessionPut")


@_attrs_define
class ChatSessionPut:
    """
    Attributes:
        state (ChatSessionPutState): Any JSON object, returned exactly as stored. At most CHAT_STATE_MAX_BYTES (default
            65536) bytes as compact UTF-8 JSON; larger: 422 naming `state`. Example: {'flow': 'checkout', 'step': 2, 'cart':
            [{'sku': 'TSHIRT-M', 'qty': 1}]}.
        last_activity (datetime.datetime | Unset): When the end user was last active; kept exactly as given (default:
            now). The session expires chat_session_ttl_hours (a tenant setting) after it. Example: 2026-11-22T10:15:30.123Z.
    """

    state: ChatSessionPutState
    last_activity: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        state = self.state.to_dict()

        last_activity: str | Unset = UNSET
        if not isinstance(self.last_activity, Unset):
            last_activity = self.last_activity.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "state": state,
            }
        )
        if last_activity is not UNSET:
            field_dict["last_activity"] = last_activity

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.chat_session_put_state import ChatSessionPutState

        d = dict(src_dict)
        state = ChatSessionPutState.from_dict(d.pop("state"))

        _last_activity = d.pop("last_activity", UNSET)
        last_activity: datetime.datetime | Unset
        if isinstance(_last_activity, Unset):
            last_activity = UNSET
        else:
            last_activity = datetime.datetime.fromisoformat(_last_activity)

        chat_session_put = cls(
            state=state,
            last_activity=last_activity,
        )

        return chat_session_put
