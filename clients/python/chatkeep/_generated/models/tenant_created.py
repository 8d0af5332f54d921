from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="TenantCreated")


@_attrs_define
class TenantCreated:
    """
    Attributes:
        slug (str):  Example: acme.
        name (str):  Example: Acme Store.
        chat_session_ttl_hours (int):  Example: 24.
        timezone (str):  Example: UTC.
        message_retention_days (int | None):
        cloud_app_secret_set (bool):
        cloud_verify_token_set (bool):
        created_at (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
        updated_at (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
        api_key (str): Shown only once; stored hashed. Example: ck_live_9hV3....
        webhook_token (str): Shown only once; stored hashed. Example: ck_hook_Qm2....
    """

    slug: str
    name: str
    chat_session_ttl_hours: int
    timezone: str
    message_retention_days: int | None
    cloud_app_secret_set: bool
    cloud_verify_token_set: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime
    api_key: str
    webhook_token: str

    def to_dict(self) -> dict[str, Any]:
        slug = self.slug

        name = self.name

        chat_session_ttl_hours = self.chat_session_ttl_hours

        timezone = self.timezone

        message_retention_days: int | None
        message_retention_days = self.message_retention_days

        cloud_app_secret_set = self.cloud_app_secret_set

        cloud_verify_token_set = self.cloud_verify_token_set

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        api_key = self.api_key

        webhook_token = self.webhook_token

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "slug": slug,
                "name": name,
                "chat_session_ttl_hours": chat_session_ttl_hours,
                "timezone": timezone,
                "message_retention_days": message_retention_days,
                "cloud_app_secret_set": cloud_app_secret_set,
                "cloud_verify_token_set": cloud_verify_token_set,
                "created_at": created_at,
                "updated_at": updated_at,
                "api_key": api_key,
                "webhook_token": webhook_token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        slug = d.pop("slug")

        name = d.pop("name")

        chat_session_ttl_hours = d.pop("chat_session_ttl_hours")

        timezone = d.pop("timezone")

        def _parse_message_retention_days(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        message_retention_days = _parse_message_retention_days(d.pop("message_retention_days"))

        cloud_app_secret_set = d.pop("cloud_app_secret_set")

        cloud_verify_token_set = d.pop("cloud_verify_token_set")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        api_key = d.pop("api_key")

        webhook_token = d.pop("webhook_token")

        tenant_created = cls(
            slug=slug,
            name=name,
            chat_session_ttl_hours=chat_session_ttl_hours,
            timezone=timezone,
            message_retention_days=message_retention_days,
            cloud_app_secret_set=cloud_app_secret_set,
            cloud_verify_token_set=cloud_verify_token_set,
            created_at=created_at,
            updated_at=updated_at,
            api_key=api_key,
            webhook_token=webhook_token,
        )

        return tenant_created
