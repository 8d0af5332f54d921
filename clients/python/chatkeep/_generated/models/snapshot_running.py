from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SnapshotRunning")


@_attrs_define
class SnapshotRunning:
    """
    Attributes:
        status (str):  Example: running.
        trigger (str):  Example: manual.
        started_at (str): The generation will have created_at at or after this.
        detail (str | Unset):
    """

    status: str
    trigger: str
    started_at: str
    detail: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        trigger = self.trigger

        started_at = self.started_at

        detail = self.detail

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "status": status,
                "trigger": trigger,
                "started_at": started_at,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        status = d.pop("status")

        trigger = d.pop("trigger")

        started_at = d.pop("started_at")

        detail = d.pop("detail", UNSET)

        snapshot_running = cls(
            status=status,
            trigger=trigger,
            started_at=started_at,
            detail=detail,
        )

        return snapshot_running
