from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="OrderItemOut")


@_attrs_define
class OrderItemOut:
    """
    Attributes:
        product_type (str):  Example: t-shirt.
        sku (None | str):  Example: TSHIRT-M-BLUE.
        name (None | str):  Example: T-shirt M blue.
        quantity (int):  Example: 2.
        unit_price (str): A decimal string with at most 2 decimal places, e.g. "19.90", at most 1000000000.00 (an
            order's total and its revenue too: so the all-time statistics stay within 64-bit integers); JSON numbers are
            refused. Zero is allowed. Example: 19.90.
        total (str): quantity x unit_price. Example: 19.90.
    """

    product_type: str
    sku: None | str
    name: None | str
    quantity: int
    unit_price: str
    total: str

    def to_dict(self) -> dict[str, Any]:
        product_type = self.product_type

        sku: None | str
        sku = self.sku

        name: None | str
        name = self.name

        quantity = self.quantity

        unit_price = self.unit_price

        total = self.total

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "product_type": product_type,
                "sku": sku,
                "name": name,
                "quantity": quantity,
                "unit_price": unit_price,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        product_type = d.pop("product_type")

        def _parse_sku(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sku = _parse_sku(d.pop("sku"))

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        quantity = d.pop("quantity")

        unit_price = d.pop("unit_price")

        total = d.pop("total")

        order_item_out = cls(
            product_type=product_type,
            sku=sku,
            name=name,
            quantity=quantity,
            unit_price=unit_price,
            total=total,
        )

        return order_item_out
