from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderItem")


@_attrs_define
class OrderItem:
    """
    Attributes:
        product_type (str):  Example: t-shirt.
        quantity (int):  Example: 2.
        unit_price (str): A decimal string with at most 2 decimal places, e.g. "19.90", at most 1000000000.00 (an
            order's total and its revenue too: so the all-time statistics stay within 64-bit integers); JSON numbers are
            refused. Zero is allowed. Example: 19.90.
        sku (None | str | Unset):  Example: TSHIRT-M-BLUE.
        name (None | str | Unset):  Example: T-shirt M blue.
    """

    product_type: str
    quantity: int
    unit_price: str
    sku: None | str | Unset = UNSET
    name: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        product_type = self.product_type

        quantity = self.quantity

        unit_price = self.unit_price

        sku: None | str | Unset
        if isinstance(self.sku, Unset):
            sku = UNSET
        else:
            sku = self.sku

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "product_type": product_type,
                "quantity": quantity,
                "unit_price": unit_price,
            }
        )
        if sku is not UNSET:
            field_dict["sku"] = sku
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        product_type = d.pop("product_type")

        quantity = d.pop("quantity")

        unit_price = d.pop("unit_price")

        def _parse_sku(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sku = _parse_sku(d.pop("sku", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        order_item = cls(
            product_type=product_type,
            quantity=quantity,
            unit_price=unit_price,
            sku=sku,
            name=name,
        )

        return order_item
