from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.conversation_figures import ConversationFigures
    from ..models.conversation_report_day import ConversationReportDay


T = TypeVar("T", bound="ConversationReport")


@_attrs_define
class ConversationReport:
    """
    Attributes:
        from_ (datetime.date):  Example: 2026-10-24.
        to (datetime.date):  Example: 2026-11-22.
        timezone (str):  Example: America/Sao_Paulo.
        totals (ConversationFigures):
        daily (list[ConversationReportDay]): Every day of the range, oldest first, zeros included. A message counts on
            the day it was created, its late statuses too.
    """

    from_: datetime.date
    to: datetime.date
    timezone: str
    totals: ConversationFigures
    daily: list[ConversationReportDay]

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
        from ..models.conversation_figures import ConversationFigures
        from ..models.conversation_report_day import ConversationReportDay

        d = dict(src_dict)
        from_ = datetime.date.fromisoformat(d.pop("from"))

        to = datetime.date.fromisoformat(d.pop("to"))

        timezone = d.pop("timezone")

        totals = ConversationFigures.from_dict(d.pop("totals"))

        daily = []
        _daily = d.pop("daily")
        for daily_item_data in _daily:
            daily_item = ConversationReportDay.from_dict(daily_item_data)

            daily.append(daily_item)

        conversation_report = cls(
            from_=from_,
            to=to,
            timezone=timezone,
            totals=totals,
            daily=daily,
        )

        return conversation_report
