from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.order_item import OrderItem


T = TypeVar("T", bound="OrderCreate")


@_attrs_define
class OrderCreate:
    """
    Attributes:
        external_order_id (str): The shop system's id (e.g. an Odoo order id); the same id again returns the stored
            order and counts nothing. Example: SO-2026-00042.
        recipient_phone (str):  Example: 5511987654321.
        items (list[OrderItem]):
        currency (str | Unset): ISO 4217 code, default BRL. Amounts are kept in hundredths whatever the currency;
            statistics add amounts up without converting currencies. Default: 'BRL'. Example: BRL.
    """

    external_order_id: str
    recipient_phone: str
    items: list[OrderItem]
    currency: str | Unset = "BRL"

    def to_dict(self) -> dict[str, Any]:
        external_order_id = self.external_order_id

        recipient_phone = self.recipient_phone

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        currency = self.currency

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "external_order_id": external_order_id,
                "recipient_phone": recipient_phone,
                "items": items,
            }
        )
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.order_item import OrderItem

        d = dict(src_dict)
        external_order_id = d.pop("external_order_id")

        recipient_phone = d.pop("recipient_phone")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = OrderItem.from_dict(items_item_data)

            items.append(items_item)

        currency = d.pop("currency", UNSET)

        order_create = cls(
            external_order_id=external_order_id,
            recipient_phone=recipient_phone,
            items=items,
            currency=currency,
        )

        return order_create
