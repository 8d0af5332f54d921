from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="ConversationFigures")


@_attrs_define
class ConversationFigures:
    """
    Attributes:
        inbound (int): Inbound messages created in the period.
        outbound (int): Outbound messages created in the period.
        active_contacts (int): Contacts (conversations) with an inbound message that day; in totals, summed over the
            days.
        new_contacts (int): Contacts whose first inbound message ever was then.
        response_p50_s (float | None): Median wait of a contact's message that follows an answered one, or opens the
            conversation, for the next outbound message (counted on the answer's day; unanswered ones and waits over 7 days
            do not count), in seconds (within 5 %); null when nothing qualifies. Example: 12.4.
        response_p90_s (float | None): 90th percentile of the same, in seconds (within 5 %); null when nothing
            qualifies. Example: 12.4.
    """

    inbound: int
    outbound: int
    active_contacts: int
    new_contacts: int
    response_p50_s: float | None
    response_p90_s: float | None

    def to_dict(self) -> dict[str, Any]:
        inbound = self.inbound

        outbound = self.outbound

        active_contacts = self.active_contacts

        new_contacts = self.new_contacts

        response_p50_s: float | None
        response_p50_s = self.response_p50_s

        response_p90_s: float | None
        response_p90_s = self.response_p90_s

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "inbound": inbound,
                "outbound": outbound,
                "active_contacts": active_contacts,
                "new_contacts": new_contacts,
                "response_p50_s": response_p50_s,
                "response_p90_s": response_p90_s,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        inbound = d.pop("inbound")

        outbound = d.pop("outbound")

        active_contacts = d.pop("active_contacts")

        new_contacts = d.pop("new_contacts")

        def _parse_response_p50_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        response_p50_s = _parse_response_p50_s(d.pop("response_p50_s"))

        def _parse_response_p90_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        response_p90_s = _parse_response_p90_s(d.pop("response_p90_s"))

        conversation_figures = cls(
            inbound=inbound,
            outbound=outbound,
            active_contacts=active_contacts,
            new_contacts=new_contacts,
            response_p50_s=response_p50_s,
            response_p90_s=response_p90_s,
        )

        return conversation_figures
