from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.day_figures_by_product_type import DayFiguresByProductType


T = TypeVar("T", bound="DayFigures")


@_attrs_define
class DayFigures:
    """
    Attributes:
        orders (int): Orders created.
        completed (int):
        cancelled (int):
        revenue (str): Revenue of completed orders. Example: 19.90.
        by_product_type (DayFiguresByProductType): Per product type; an order's revenue is split over its items in
            proportion to their totals.
        date (str):  Example: 2026-11-22.
    """

    orders: int
    completed: int
    cancelled: int
    revenue: str
    by_product_type: DayFiguresByProductType
    date: str

    def to_dict(self) -> dict[str, Any]:
        orders = self.orders

        completed = self.completed

        cancelled = self.cancelled

        revenue = self.revenue

        by_product_type = self.by_product_type.to_dict()

        date = self.date

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "orders": orders,
                "completed": completed,
                "cancelled": cancelled,
                "revenue": revenue,
                "by_product_type": by_product_type,
                "date": date,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.day_figures_by_product_type import DayFiguresByProductType

        d = dict(src_dict)
        orders = d.pop("orders")

        completed = d.pop("completed")

        cancelled = d.pop("cancelled")

        revenue = d.pop("revenue")

        by_product_type = DayFiguresByProductType.from_dict(d.pop("by_product_type"))

        date = d.pop("date")

        day_figures = cls(
            orders=orders,
            completed=completed,
            cancelled=cancelled,
            revenue=revenue,
            by_product_type=by_product_type,
            date=date,
        )

        return day_figures
