from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.delivery_figures import DeliveryFigures
    from ..models.delivery_report_day import DeliveryReportDay


T = TypeVar("T", bound="DeliveryReport")


@_attrs_define
class DeliveryReport:
    """
    Attributes:
        from_ (datetime.date):  Example: 2026-10-24.
        to (datetime.date):  Example: 2026-11-22.
        timezone (str):  Example: America/Sao_Paulo.
        totals (DeliveryFigures):
        daily (list[DeliveryReportDay]): Every day of the range, oldest first, zeros included. A message counts on the
            day it was created, its late statuses too.
    """

    from_: datetime.date
    to: datetime.date
    timezone: str
    totals: DeliveryFigures
    daily: list[DeliveryReportDay]

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_.isoformat()

        to = self.to.isoformat()

        timezone = self.timezone

        totals = self.totals.to_dict()

        daily = []
        for daily_item_data in self.daily:
            daily_item = daily_item_data.to_dict()
            daily.append(daily_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "from": from_,
                "to": to,
                "timezone": timezone,
                "totals": totals,
                "daily": daily,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.delivery_figures import DeliveryFigures
        from ..models.delivery_report_day import DeliveryReportDay

        d = dict(src_dict)
        from_ = datetime.date.fromisoformat(d.pop("from"))

        to = datetime.date.fromisoformat(d.pop("to"))

        timezone = d.pop("timezone")

        totals = DeliveryFigures.from_dict(d.pop("totals"))

        daily = []
        _daily = d.pop("daily")
        for daily_item_data in _daily:
            daily_item = DeliveryReportDay.from_dict(daily_item_data)

            daily.append(daily_item)

        delivery_report = cls(
            from_=from_,
            to=to,
            timezone=timezone,
            totals=totals,
            daily=daily,
        )

        return delivery_report
