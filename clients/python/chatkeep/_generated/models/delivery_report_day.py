from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="DeliveryReportDay")


@_attrs_define
class DeliveryReportDay:
    """
    Attributes:
        date (datetime.date):  Example: 2026-11-22.
        outbound (int): Outbound messages created in the period.
        sent (int): Of those, how many reached sent or beyond.
        delivered (int): Of those, how many reached delivered or beyond.
        read (int): Of those, how many were read (played counts as read).
        failed (int): Of those, how many failed.
        delivery_rate (float | None): delivered / outbound; null when nothing was sent. Example: 0.95.
        read_rate (float | None): read / outbound; null when nothing was sent. Example: 0.95.
        failure_rate (float | None): failed / outbound; null when nothing was sent. Example: 0.01.
        time_to_deliver_p50_s (float | None): Median time from sent (or created, without a sent time) to delivered, in
            seconds (within 5 %); null when nothing qualifies. Example: 12.4.
        time_to_deliver_p90_s (float | None): 90th percentile of the same, in seconds (within 5 %); null when nothing
            qualifies. Example: 12.4.
        time_to_read_p50_s (float | None): Median time from sent (or created) to read or played, in seconds (within 5
            %); null when nothing qualifies. Example: 12.4.
        time_to_read_p90_s (float | None): 90th percentile of the same, in seconds (within 5 %); null when nothing
            qualifies. Example: 12.4.
    """

    date: datetime.date
    outbound: int
    sent: int
    delivered: int
    read: int
    failed: int
    delivery_rate: float | None
    read_rate: float | None
    failure_rate: float | None
    time_to_deliver_p50_s: float | None
    time_to_deliver_p90_s: float | None
    time_to_read_p50_s: float | None
    time_to_read_p90_s: float | None

    def to_dict(self) -> dict[str, Any]:
        date = self.date.isoformat()

        outbound = self.outbound

        sent = self.sent

        delivered = self.delivered

        read = self.read

        failed = self.failed

        delivery_rate: float | None
        delivery_rate = self.delivery_rate

        read_rate: float | None
        read_rate = self.read_rate

        failure_rate: float | None
        failure_rate = self.failure_rate

        time_to_deliver_p50_s: float | None
        time_to_deliver_p50_s = self.time_to_deliver_p50_s

        time_to_deliver_p90_s: float | None
        time_to_deliver_p90_s = self.time_to_deliver_p90_s

        time_to_read_p50_s: float | None
        time_to_read_p50_s = self.time_to_read_p50_s

        time_to_read_p90_s: float | None
        time_to_read_p90_s = self.time_to_read_p90_s

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "date": date,
                "outbound": outbound,
                "sent": sent,
                "delivered": delivered,
                "read": read,
                "failed": failed,
                "delivery_rate": delivery_rate,
                "read_rate": read_rate,
                "failure_rate": failure_rate,
                "time_to_deliver_p50_s": time_to_deliver_p50_s,
                "time_to_deliver_p90_s": time_to_deliver_p90_s,
                "time_to_read_p50_s": time_to_read_p50_s,
                "time_to_read_p90_s": time_to_read_p90_s,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        date = datetime.date.fromisoformat(d.pop("date"))

        outbound = d.pop("outbound")

        sent = d.pop("sent")

        delivered = d.pop("delivered")

        read = d.pop("read")

        failed = d.pop("failed")

        def _parse_delivery_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        delivery_rate = _parse_delivery_rate(d.pop("delivery_rate"))

        def _parse_read_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        read_rate = _parse_read_rate(d.pop("read_rate"))

        def _parse_failure_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        failure_rate = _parse_failure_rate(d.pop("failure_rate"))

        def _parse_time_to_deliver_p50_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        time_to_deliver_p50_s = _parse_time_to_deliver_p50_s(d.pop("time_to_deliver_p50_s"))

        def _parse_time_to_deliver_p90_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        time_to_deliver_p90_s = _parse_time_to_deliver_p90_s(d.pop("time_to_deliver_p90_s"))

        def _parse_time_to_read_p50_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        time_to_read_p50_s = _parse_time_to_read_p50_s(d.pop("time_to_read_p50_s"))

        def _parse_time_to_read_p90_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        time_to_read_p90_s = _parse_time_to_read_p90_s(d.pop("time_to_read_p90_s"))

        delivery_report_day = cls(
            date=date,
            outbound=outbound,
            sent=sent,
            delivered=delivered,
            read=read,
            failed=failed,
            delivery_rate=delivery_rate,
            read_rate=read_rate,
            failure_rate=failure_rate,
            time_to_deliver_p50_s=time_to_deliver_p50_s,
            time_to_deliver_p90_s=time_to_deliver_p90_s,
            time_to_read_p50_s=time_to_read_p50_s,
            time_to_read_p90_s=time_to_read_p90_s,
        )

        return delivery_report_day
