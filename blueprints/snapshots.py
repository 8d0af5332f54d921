"""Operator API: take a snapshot now, list the kept generations."""
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from blueprints.auth import require_admin
from blueprints.problems import problem
from extensions import ADMIN_SECURITY
from services import snapshots

blp = Blueprint("snapshots", __name__, url_prefix="/api/v1/admin/snapshots",
                description="Snapshot generations (Bearer CHATKEEP_ADMIN_TOKEN).")
blp.before_request(require_admin)


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


@blp.route("")
class Snapshots(MethodView):
    @blp.doc(security=ADMIN_SECURITY)
    @blp.response(201, ManifestSchema)
    def post(self):
        """Take a snapshot now; returns its manifest.

        The snapshot runs in a child process at idle CPU priority, but this request
        waits for it and holds one worker meanwhile: on a large store prefer
        `flask --app app snapshot take`, or the scheduled snapshots."""
        try:
            return snapshots.take_snapshot_in_child("manual", timeout_s=600)
        except snapshots.SnapshotError as exc:
            return problem(507 if "No space" in str(exc) else 500, "Snapshot Failed", str(exc),
                           type_="urn:chatkeep:problem:snapshot-failed")

    @blp.doc(security=ADMIN_SECURITY)
    @blp.response(200, ManifestListSchema)
    def get(self):
        """The kept generations, newest first, with their manifests."""
        return {"items": [snapshots.read_manifest(g) for g in snapshots.generations(current_app.config["DATA_DIR"])]}
