from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ApiKey")


@_attrs_define
class ApiKey:
    """
    Attributes:
        slug (str):
        api_key (str): The new key; the old one stops working.
    """

    slug: str
    api_key: str

    def to_dict(self) -> dict[str, Any]:
        slug = self.slug

        api_key = self.api_key

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "slug": slug,
                "api_key": api_key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        slug = d.pop("slug")

        api_key = d.pop("api_key")

        api_key = cls(
            slug=slug,
            api_key=api_key,
        )

        return api_key
