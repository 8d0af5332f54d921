from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.figures_by_product_type import FiguresByProductType


T = TypeVar("T", bound="Figures")


@_attrs_define
class Figures:
    """
    Attributes:
        orders (int): Orders created.
        completed (int):
        cancelled (int):
        revenue (str): Revenue of completed orders. Example: 19.90.
        by_product_type (FiguresByProductType): Per product type; an order's revenue is split over its items in
            proportion to their totals.
    """

    orders: int
    completed: int
    cancelled: int
    revenue: str
    by_product_type: FiguresByProductType

    def to_dict(self) -> dict[str, Any]:
        orders = self.orders

        completed = self.completed

        cancelled = self.cancelled

        revenue = self.revenue

        by_product_type = self.by_product_type.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "orders": orders,
                "completed": completed,
                "cancelled": cancelled,
                "revenue": revenue,
                "by_product_type": by_product_type,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.figures_by_product_type import FiguresByProductType

        d = dict(src_dict)
        orders = d.pop("orders")

        completed = d.pop("completed")

        cancelled = d.pop("cancelled")

        revenue = d.pop("revenue")

        by_product_type = FiguresByProductType.from_dict(d.pop("by_product_type"))

        figures = cls(
            orders=orders,
            completed=completed,
            cancelled=cancelled,
            revenue=revenue,
            by_product_type=by_product_type,
        )

        return figures
