from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ProductTypeFigures")


@_attrs_define
class ProductTypeFigures:
    """
    Attributes:
        orders (int):
        completed (int):
        revenue (str):  Example: 19.90.
    """

    orders: int
    completed: int
    revenue: str

    def to_dict(self) -> dict[str, Any]:
        orders = self.orders

        completed = self.completed

        revenue = self.revenue

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "orders": orders,
                "completed": completed,
                "revenue": revenue,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        orders = d.pop("orders")

        completed = d.pop("completed")

        revenue = d.pop("revenue")

        product_type_figures = cls(
            orders=orders,
            completed=completed,
            revenue=revenue,
        )

        return product_type_figures
