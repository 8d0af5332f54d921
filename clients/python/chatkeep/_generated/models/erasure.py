from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.erasure_state import ErasureState
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.erased_counts import ErasedCounts


T = TypeVar("T", bound="Erasure")


@_attrs_define
class Erasure:
    """
    Attributes:
        id (str):  Example: er_5f2a9c1e0b7d4e3a8c6f1b2d.
        state (ErasureState):
        erased_at (datetime.datetime):  Example: 2026-11-22T10:15:30.123Z.
        erased (ErasedCounts):
        phone (str | Unset): Only in the DELETE answer, which the caller asked with it.
        finished_at (datetime.datetime | None | Unset):  Example: 2026-11-22T10:15:30.123Z.
    """

    id: str
    state: ErasureState
    erased_at: datetime.datetime
    erased: ErasedCounts
    phone: str | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        state = self.state.value

        erased_at = self.erased_at.isoformat()

        erased = self.erased.to_dict()

        phone = self.phone

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "state": state,
                "erased_at": erased_at,
                "erased": erased,
            }
        )
        if phone is not UNSET:
            field_dict["phone"] = phone
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.erased_counts import ErasedCounts

        d = dict(src_dict)
        id = d.pop("id")

        state = ErasureState(d.pop("state"))

        erased_at = datetime.datetime.fromisoformat(d.pop("erased_at"))

        erased = ErasedCounts.from_dict(d.pop("erased"))

        phone = d.pop("phone", UNSET)

        def _parse_finished_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))

        erasure = cls(
            id=id,
            state=state,
            erased_at=erased_at,
            erased=erased,
            phone=phone,
            finished_at=finished_at,
        )

        return erasure
