from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.session_status import SessionStatus

T = TypeVar("T", bound="Session")


@_attrs_define
class Session:
    """
    Attributes:
        session_id (str):  Example: store-main.
        status (SessionStatus):
        phone_number (None | str):  Example: 5511987654321.
        created_at (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
        updated_at (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
        status_changed_at (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
        gateway_state (None | str): The gateway's own word for the session at the last successful sync (see PUT
            /api/v1/sessions/{session_id}/gateway); null if never synced. Example: WORKING.
        synced_at (datetime.datetime | None): The last successful sync; null if never. Example:
            2026-11-22T10:15:30.123Z.
    """

    session_id: str
    status: SessionStatus
    phone_number: None | str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    status_changed_at: datetime.datetime
    gateway_state: None | str
    synced_at: datetime.datetime | None

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        status = self.status.value

        phone_number: None | str
        phone_number = self.phone_number

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        status_changed_at = self.status_changed_at.isoformat()

        gateway_state: None | str
        gateway_state = self.gateway_state

        synced_at: None | str
        if isinstance(self.synced_at, datetime.datetime):
            synced_at = self.synced_at.isoformat()
        else:
            synced_at = self.synced_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "session_id": session_id,
                "status": status,
                "phone_number": phone_number,
                "created_at": created_at,
                "updated_at": updated_at,
                "status_changed_at": status_changed_at,
                "gateway_state": gateway_state,
                "synced_at": synced_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        session_id = d.pop("session_id")

        status = SessionStatus(d.pop("status"))

        def _parse_phone_number(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        phone_number = _parse_phone_number(d.pop("phone_number"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        status_changed_at = datetime.datetime.fromisoformat(d.pop("status_changed_at"))

        def _parse_gateway_state(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        gateway_state = _parse_gateway_state(d.pop("gateway_state"))

        def _parse_synced_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                synced_at_type_0 = datetime.datetime.fromisoformat(data)

                return synced_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        synced_at = _parse_synced_at(d.pop("synced_at"))

        session = cls(
            session_id=session_id,
            status=status,
            phone_number=phone_number,
            created_at=created_at,
            updated_at=updated_at,
            status_changed_at=status_changed_at,
            gateway_state=gateway_state,
            synced_at=synced_at,
        )

        return session
