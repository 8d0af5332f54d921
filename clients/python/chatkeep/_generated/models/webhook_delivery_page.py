from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.attempt import Attempt


T = TypeVar("T", bound="WebhookDeliveryPage")


@_attrs_define
class WebhookDeliveryPage:
    """
    Attributes:
        items (list[Attempt]):
        next_cursor (None | str):
        total (int | Unset): With include_total: matching items, at most 10,000.
        total_capped (bool | Unset): With include_total: true when more than 10,000 items match.
    """

    items: list[Attempt]
    next_cursor: None | str
    total: int | Unset = UNSET
    total_capped: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        next_cursor: None | str
        next_cursor = self.next_cursor

        total = self.total

        total_capped = self.total_capped

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "items": items,
                "next_cursor": next_cursor,
            }
        )
        if total is not UNSET:
            field_dict["total"] = total
        if total_capped is not UNSET:
            field_dict["total_capped"] = total_capped

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.attempt import Attempt

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = Attempt.from_dict(items_item_data)

            items.append(items_item)

        def _parse_next_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor"))

        total = d.pop("total", UNSET)

        total_capped = d.pop("total_capped", UNSET)

        webhook_delivery_page = cls(
            items=items,
            next_cursor=next_cursor,
            total=total,
            total_capped=total_capped,
        )

        return webhook_delivery_page
