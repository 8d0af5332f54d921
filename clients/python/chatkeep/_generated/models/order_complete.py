from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderComplete")


@_attrs_define
class OrderComplete:
    """
    Attributes:
        revenue (str | Unset): What the sale earned (default: the order total). A decimal string with at most 2 decimal
            places, e.g. "19.90", at most 1000000000.00 (an order's total and its revenue too: so the all-time statistics
            stay within 64-bit integers); JSON numbers are refused. Example: 19.90.
    """

    revenue: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        revenue = self.revenue

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if revenue is not UNSET:
            field_dict["revenue"] = revenue

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        revenue = d.pop("revenue", UNSET)

        order_complete = cls(
            revenue=revenue,
        )

        return order_complete
