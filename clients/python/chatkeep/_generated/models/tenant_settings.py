from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TenantSettings")


@_attrs_define
class TenantSettings:
    """
    Attributes:
        name (str | Unset):
        cloud_app_secret (None | str | Unset):
        cloud_verify_token (None | str | Unset):
        chat_session_ttl_hours (int | Unset):
        timezone (str | Unset):  Example: America/Sao_Paulo.
        message_retention_days (int | None | Unset): Messages older than this are deleted by the hourly upkeep; null
            keeps them for ever.
    """

    name: str | Unset = UNSET
    cloud_app_secret: None | str | Unset = UNSET
    cloud_verify_token: None | str | Unset = UNSET
    chat_session_ttl_hours: int | Unset = UNSET
    timezone: str | Unset = UNSET
    message_retention_days: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        cloud_app_secret: None | str | Unset
        if isinstance(self.cloud_app_secret, Unset):
            cloud_app_secret = UNSET
        else:
            cloud_app_secret = self.cloud_app_secret

        cloud_verify_token: None | str | Unset
        if isinstance(self.cloud_verify_token, Unset):
            cloud_verify_token = UNSET
        else:
            cloud_verify_token = self.cloud_verify_token

        chat_session_ttl_hours = self.chat_session_ttl_hours

        timezone = self.timezone

        message_retention_days: int | None | Unset
        if isinstance(self.message_retention_days, Unset):
            message_retention_days = UNSET
        else:
            message_retention_days = self.message_retention_days

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if cloud_app_secret is not UNSET:
            field_dict["cloud_app_secret"] = cloud_app_secret
        if cloud_verify_token is not UNSET:
            field_dict["cloud_verify_token"] = cloud_verify_token
        if chat_session_ttl_hours is not UNSET:
            field_dict["chat_session_ttl_hours"] = chat_session_ttl_hours
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if message_retention_days is not UNSET:
            field_dict["message_retention_days"] = message_retention_days

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name", UNSET)

        def _parse_cloud_app_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cloud_app_secret = _parse_cloud_app_secret(d.pop("cloud_app_secret", UNSET))

        def _parse_cloud_verify_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cloud_verify_token = _parse_cloud_verify_token(d.pop("cloud_verify_token", UNSET))

        chat_session_ttl_hours = d.pop("chat_session_ttl_hours", UNSET)

        timezone = d.pop("timezone", UNSET)

        def _parse_message_retention_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        message_retention_days = _parse_message_retention_days(d.pop("message_retention_days", UNSET))

        tenant_settings = cls(
            name=name,
            cloud_app_secret=cloud_app_secret,
            cloud_verify_token=cloud_verify_token,
            chat_session_ttl_hours=chat_session_ttl_hours,
            timezone=timezone,
            message_retention_days=message_retention_days,
        )

        return tenant_settings
