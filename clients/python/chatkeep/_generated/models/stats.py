from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.day_figures import DayFigures
    from ..models.figures import Figures


T = TypeVar("T", bound="Stats")


@_attrs_define
class Stats:
    """
    Attributes:
        totals (Figures):
        daily (list[DayFigures]): Every day of the range, oldest first, zeros included. Orders count on the day they
            were created; completions, cancellations and revenue on the day they happened.
    """

    totals: Figures
    daily: list[DayFigures]

    def to_dict(self) -> dict[str, Any]:
        totals = self.totals.to_dict()

        daily = []
        for daily_item_data in self.daily:
            daily_item = daily_item_data.to_dict()
            daily.append(daily_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "totals": totals,
                "daily": daily,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.day_figures import DayFigures
        from ..models.figures import Figures

        d = dict(src_dict)
        totals = Figures.from_dict(d.pop("totals"))

        daily = []
        _daily = d.pop("daily")
        for daily_item_data in _daily:
            daily_item = DayFigures.from_dict(daily_item_data)

            daily.append(daily_item)

        stats = cls(
            totals=totals,
            daily=daily,
        )

        return stats
