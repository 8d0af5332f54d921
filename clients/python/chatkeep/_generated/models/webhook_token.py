from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="WebhookToken")


@_attrs_define
class WebhookToken:
    """
    Attributes:
        slug (str):
        webhook_token (str): The new token; the old one stops working.
    """

    slug: str
    webhook_token: str

    def to_dict(self) -> dict[str, Any]:
        slug = self.slug

        webhook_token = self.webhook_token

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "slug": slug,
                "webhook_token": webhook_token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        slug = d.pop("slug")

        webhook_token = d.pop("webhook_token")

        webhook_token = cls(
            slug=slug,
            webhook_token=webhook_token,
        )

        return webhook_token
