from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="RejectedItem")


@_attrs_define
class RejectedItem:
    """
    Attributes:
        item (str):  Example: entry[0].changes[0].value.statuses[2].
        detail (str):  Example: id: is required (a non-empty string).
    """

    item: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        item = self.item

        detail = self.detail

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "item": item,
                "detail": detail,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        item = d.pop("item")

        detail = d.pop("detail")

        rejected_item = cls(
            item=item,
            detail=detail,
        )

        return rejected_item
