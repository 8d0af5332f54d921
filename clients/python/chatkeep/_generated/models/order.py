from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.order_status import OrderStatus

if TYPE_CHECKING:
    from ..models.order_item_out import OrderItemOut


T = TypeVar("T", bound="Order")


@_attrs_define
class Order:
    """
    Attributes:
        id (str):  Example: 6740a1b2c3d4e5f601234567.
        external_order_id (str):  Example: SO-2026-00042.
        recipient_phone (None | str): null once the contact was erased (amounts and types stay). Example: 5511912345678.
        currency (str):  Example: BRL.
        items (list[OrderItemOut]):
        total (str): The sum of the item totals. Example: 19.90.
        revenue (None | str): Set on completion; null before. Example: 19.90.
        status (OrderStatus):
        created_at (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
        updated_at (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
        completed_at (datetime.datetime | None):  Example: 2026-11-22T10:15:30.123Z.
        cancelled_at (datetime.datetime | None):  Example: 2026-11-22T10:15:30.123Z.
    """

    id: str
    external_order_id: str
    recipient_phone: None | str
    currency: str
    items: list[OrderItemOut]
    total: str
    revenue: None | str
    status: OrderStatus
    created_at: datetime.datetime
    updated_at: datetime.datetime
    completed_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        external_order_id = self.external_order_id

        recipient_phone: None | str
        recipient_phone = self.recipient_phone

        currency = self.currency

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        total = self.total

        revenue: None | str
        revenue = self.revenue

        status = self.status.value

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        completed_at: None | str
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        cancelled_at: None | str
        if isinstance(self.cancelled_at, datetime.datetime):
            cancelled_at = self.cancelled_at.isoformat()
        else:
            cancelled_at = self.cancelled_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "external_order_id": external_order_id,
                "recipient_phone": recipient_phone,
                "currency": currency,
                "items": items,
                "total": total,
                "revenue": revenue,
                "status": status,
                "created_at": created_at,
                "updated_at": updated_at,
                "completed_at": completed_at,
                "cancelled_at": cancelled_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.order_item_out import OrderItemOut

        d = dict(src_dict)
        id = d.pop("id")

        external_order_id = d.pop("external_order_id")

        def _parse_recipient_phone(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        recipient_phone = _parse_recipient_phone(d.pop("recipient_phone"))

        currency = d.pop("currency")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = OrderItemOut.from_dict(items_item_data)

            items.append(items_item)

        total = d.pop("total")

        def _parse_revenue(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        revenue = _parse_revenue(d.pop("revenue"))

        status = OrderStatus(d.pop("status"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_completed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        completed_at = _parse_completed_at(d.pop("completed_at"))

        def _parse_cancelled_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                cancelled_at_type_0 = datetime.datetime.fromisoformat(data)

                return cancelled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        cancelled_at = _parse_cancelled_at(d.pop("cancelled_at"))

        order = cls(
            id=id,
            external_order_id=external_order_id,
            recipient_phone=recipient_phone,
            currency=currency,
            items=items,
            total=total,
            revenue=revenue,
            status=status,
            created_at=created_at,
            updated_at=updated_at,
            completed_at=completed_at,
            cancelled_at=cancelled_at,
        )

        return order
