from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.manifest_files import ManifestFiles


T = TypeVar("T", bound="Manifest")


@_attrs_define
class Manifest:
    """
    Attributes:
        format_version (int):  Example: 1.
        generation (str):  Example: 20261122T101530.123Z.
        trigger (str):  Example: manual.
        created_at (str):
        files (ManifestFiles):
        completed_at (str | Unset):
    """

    format_version: int
    generation: str
    trigger: str
    created_at: str
    files: ManifestFiles
    completed_at: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        format_version = self.format_version

        generation = self.generation

        trigger = self.trigger

        created_at = self.created_at

        files = self.files.to_dict()

        completed_at = self.completed_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "format_version": format_version,
                "generation": generation,
                "trigger": trigger,
                "created_at": created_at,
                "files": files,
            }
        )
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.manifest_files import ManifestFiles

        d = dict(src_dict)
        format_version = d.pop("format_version")

        generation = d.pop("generation")

        trigger = d.pop("trigger")

        created_at = d.pop("created_at")

        files = ManifestFiles.from_dict(d.pop("files"))

        completed_at = d.pop("completed_at", UNSET)

        manifest = cls(
            format_version=format_version,
            generation=generation,
            trigger=trigger,
            created_at=created_at,
            files=files,
            completed_at=completed_at,
        )

        return manifest
