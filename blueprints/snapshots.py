"""Operator API: take a snapshot now, list the kept generations."""
import subprocess

from flask import current_app, jsonify
from flask.views import MethodView

from blueprints.auth import require_admin
from extensions import ADMIN_SECURITY, Blueprint
from schemas.problem import problem
from schemas.snapshots import ManifestListSchema, ManifestSchema, SnapshotRunningSchema
from services import clock
from services.operations import snapshot_child, snapshots

blp = Blueprint("snapshots", __name__, url_prefix="/api/v1/admin/snapshots",
                description="Snapshot generations (Bearer CHATKEEP_ADMIN_TOKEN).")
blp.before_request(require_admin)


@blp.route("")
class Snapshots(MethodView):
    @blp.doc(security=ADMIN_SECURITY)
    @blp.response(201, ManifestSchema, description="Written; its manifest.")
    @blp.alt_response(202, schema=SnapshotRunningSchema,
                      description="Still being written after SNAPSHOT_REQUEST_WAIT_S; it goes on and "
                                  "appears in GET /api/v1/admin/snapshots when done.")
    def post(self):
        """Take a snapshot now; returns its manifest.

        The snapshot runs in a child process at idle CPU priority. The request waits
        for it at most SNAPSHOT_REQUEST_WAIT_S (under gunicorn's 30 s worker timeout);
        a larger store answers 202 and the snapshot finishes on its own."""
        started_at = clock.iso(clock.now_ms())
        child = snapshot_child.SnapshotChild("manual", current_app.config)
        try:
            return child.manifest(current_app.config["SNAPSHOT_REQUEST_WAIT_S"])
        except subprocess.TimeoutExpired:
            child.finish_unwatched()
            running = jsonify(status="running", trigger="manual", started_at=started_at,
                              detail="The snapshot is still being written; it will be listed at "
                                     f"{blp.url_prefix} with created_at at or after started_at.")
            running.status_code = 202
            running.headers["Location"] = blp.url_prefix
            return running
        except snapshots.SnapshotError as exc:
            return problem(507 if exc.disk_full else 500, "Snapshot Failed", str(exc),
                           type_="urn:chatkeep:problem:snapshot-failed")

    @blp.doc(security=ADMIN_SECURITY)
    @blp.response(200, ManifestListSchema)
    def get(self):
        """The kept generations, newest first, with their manifests."""
        return {"items": [snapshots.read_manifest(g) for g in snapshots.generations(current_app.config["DATA_DIR"])]}
