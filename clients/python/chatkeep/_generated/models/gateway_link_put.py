from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.gateway_kind import GatewayKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="GatewayLinkPut")


@_attrs_define
class GatewayLinkPut:
    """
    Attributes:
        kind (GatewayKind):
        api_key (str): Evolution `apikey`, WAHA `X-Api-Key` or a Cloud API access token; stored encrypted, never
            returned.
        base_url (str | Unset): The gateway's API root, http or https; for `cloud` it defaults to the Graph API.
            Loopback and private addresses are refused unless OUTBOUND_ALLOW_PRIVATE=true. Example:
            https://waha.example.com.
        instance (str | Unset): The gateway's name for the session (Evolution instance, WAHA session, Cloud phone number
            id); defaults to the session id.
    """

    kind: GatewayKind
    api_key: str
    base_url: str | Unset = UNSET
    instance: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        api_key = self.api_key

        base_url = self.base_url

        instance = self.instance

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "api_key": api_key,
            }
        )
        if base_url is not UNSET:
            field_dict["base_url"] = base_url
        if instance is not UNSET:
            field_dict["instance"] = instance

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        kind = GatewayKind(d.pop("kind"))

        api_key = d.pop("api_key")

        base_url = d.pop("base_url", UNSET)

        instance = d.pop("instance", UNSET)

        gateway_link_put = cls(
            kind=kind,
            api_key=api_key,
            base_url=base_url,
            instance=instance,
        )

        return gateway_link_put
