"""Snapshot manifests as the operator API shows them."""
from marshmallow import Schema, fields


class FileEntrySchema(Schema):
    sha256 = fields.String()
    records = fields.Integer()
    bytes = fields.Integer()


class ManifestSchema(Schema):
    format_version = fields.Integer(metadata={"example": 1})
    generation = fields.String(metadata={"example": "20261122T101530.123Z"})
    trigger = fields.String(metadata={"example": "manual"})
    created_at = fields.String()
    completed_at = fields.String()
    files = fields.Dict(keys=fields.String(), values=fields.Nested(FileEntrySchema))


class ManifestListSchema(Schema):
    items = fields.List(fields.Nested(ManifestSchema))


class SnapshotRunningSchema(Schema):
    status = fields.String(metadata={"example": "running"})
    trigger = fields.String(metadata={"example": "manual"})
    started_at = fields.String(metadata={"description": "The generation will have created_at at or after this."})
    detail = fields.String()
