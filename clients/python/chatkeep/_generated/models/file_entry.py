from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="FileEntry")


@_attrs_define
class FileEntry:
    """
    Attributes:
        sha256 (str):
        records (int):
        bytes_ (int):
    """

    sha256: str
    records: int
    bytes_: int

    def to_dict(self) -> dict[str, Any]:
        sha256 = self.sha256

        records = self.records

        bytes_ = self.bytes_

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "sha256": sha256,
                "records": records,
                "bytes": bytes_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        sha256 = d.pop("sha256")

        records = d.pop("records")

        bytes_ = d.pop("bytes")

        file_entry = cls(
            sha256=sha256,
            records=records,
            bytes_=bytes_,
        )

        return file_entry
