from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.gateway_kind import GatewayKind

T = TypeVar("T", bound="GatewayLink")


@_attrs_define
class GatewayLink:
    """
    Attributes:
        kind (GatewayKind):
        base_url (str):  Example: https://waha.example.com.
        instance (str):  Example: default.
        api_key_set (bool):  Example: True.
        last_sync_at (datetime.datetime | None):  Example: 2026-11-22T10:15:30.123Z.
        last_sync_error (None | str):
    """

    kind: GatewayKind
    base_url: str
    instance: str
    api_key_set: bool
    last_sync_at: datetime.datetime | None
    last_sync_error: None | str

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        base_url = self.base_url

        instance = self.instance

        api_key_set = self.api_key_set

        last_sync_at: None | str
        if isinstance(self.last_sync_at, datetime.datetime):
            last_sync_at = self.last_sync_at.isoformat()
        else:
            last_sync_at = self.last_sync_at

        last_sync_error: None | str
        last_sync_error = self.last_sync_error

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "base_url": base_url,
                "instance": instance,
                "api_key_set": api_key_set,
                "last_sync_at": last_sync_at,
                "last_sync_error": last_sync_error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        kind = GatewayKind(d.pop("kind"))

        base_url = d.pop("base_url")

        instance = d.pop("instance")

        api_key_set = d.pop("api_key_set")

        def _parse_last_sync_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_sync_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_sync_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_sync_at = _parse_last_sync_at(d.pop("last_sync_at"))

        def _parse_last_sync_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_sync_error = _parse_last_sync_error(d.pop("last_sync_error"))

        gateway_link = cls(
            kind=kind,
            base_url=base_url,
            instance=instance,
            api_key_set=api_key_set,
            last_sync_at=last_sync_at,
            last_sync_error=last_sync_error,
        )

        return gateway_link
