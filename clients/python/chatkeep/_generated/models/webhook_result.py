from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.rejected_item import RejectedItem


T = TypeVar("T", bound="WebhookResult")


@_attrs_define
class WebhookResult:
    """
    Attributes:
        accepted (int): Events stored (new messages, statuses, session changes).
        duplicates (int): Messages already stored under the same id.
        ignored (int): Events of types ChatKeep does not store.
        spooled (int | Unset): Events kept on disk while the database is unreachable; stored (exactly once) as soon as
            it is back.
        held (int | Unset): Of the accepted, messages kept invisible until their session's own number is known (a
            connection event brings it).
        rejected (int | Unset): Items of a batch that were not valid (others were kept).
        errors (list[RejectedItem] | Unset):
    """

    accepted: int
    duplicates: int
    ignored: int
    spooled: int | Unset = UNSET
    held: int | Unset = UNSET
    rejected: int | Unset = UNSET
    errors: list[RejectedItem] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        accepted = self.accepted

        duplicates = self.duplicates

        ignored = self.ignored

        spooled = self.spooled

        held = self.held

        rejected = self.rejected

        errors: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.errors, Unset):
            errors = []
            for errors_item_data in self.errors:
                errors_item = errors_item_data.to_dict()
                errors.append(errors_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "accepted": accepted,
                "duplicates": duplicates,
                "ignored": ignored,
            }
        )
        if spooled is not UNSET:
            field_dict["spooled"] = spooled
        if held is not UNSET:
            field_dict["held"] = held
        if rejected is not UNSET:
            field_dict["rejected"] = rejected
        if errors is not UNSET:
            field_dict["errors"] = errors

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rejected_item import RejectedItem

        d = dict(src_dict)
        accepted = d.pop("accepted")

        duplicates = d.pop("duplicates")

        ignored = d.pop("ignored")

        spooled = d.pop("spooled", UNSET)

        held = d.pop("held", UNSET)

        rejected = d.pop("rejected", UNSET)

        _errors = d.pop("errors", UNSET)
        errors: list[RejectedItem] | Unset = UNSET
        if _errors is not UNSET:
            errors = []
            for errors_item_data in _errors:
                errors_item = RejectedItem.from_dict(errors_item_data)

                errors.append(errors_item)

        webhook_result = cls(
            accepted=accepted,
            duplicates=duplicates,
            ignored=ignored,
            spooled=spooled,
            held=held,
            rejected=rejected,
            errors=errors,
        )

        return webhook_result
