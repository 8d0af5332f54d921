"""Operations: liveness, readiness, metrics, and the offline API docs assets."""
from flask import Response, current_app, send_from_directory
from prometheus_client import CONTENT_TYPE_LATEST
from pymongo.errors import PyMongoError
from swagger_ui_bundle import swagger_ui_path

from blueprints.auth import require_operator_token
from blueprints.problems import DB_RETRY_AFTER_S
from extensions import METRICS_SECURITY, PUBLIC, Blueprint
from models.db import ping
from schemas.problem import problem
from services.operations import restore_marker
from services.operations.metrics import render

blp = Blueprint("ops", __name__, description="Health, readiness and metrics.")


@blp.route("/healthz")
@blp.doc(security=PUBLIC)
@blp.response(200, description="The process is up.")
def healthz():
    return {"status": "ok"}


@blp.route("/readyz")
@blp.doc(security=PUBLIC)
@blp.response(200, description="The database answers.")
@blp.alt_response(503, description="The database is unreachable, or a restore is in progress or was cut off.")
def readyz():
    try:
        ping(current_app.config["DB_TIMEOUT_MS"] / 1000)
        cut_off = restore_marker.unfinished()
    except PyMongoError:
        return problem(503, "Service Unavailable", "The database is unreachable.",
                       type_="urn:chatkeep:problem:database-unavailable",
                       headers={"Retry-After": str(DB_RETRY_AFTER_S)})
    if cut_off is not None:
        return problem(503, "Service Unavailable",
                       f"The restore of snapshot {cut_off['generation']} ({cut_off['started_by']}) is in progress "
                       "or was cut off: the data is incomplete until it finishes (the next start redoes it, "
                       "as does `flask --app app snapshot restore`).",
                       type_="urn:chatkeep:problem:restore-unfinished",
                       headers={"Retry-After": str(DB_RETRY_AFTER_S)})
    return {"status": "ready"}


@blp.route("/metrics")
@blp.doc(security=METRICS_SECURITY, description="Open unless METRICS_TOKEN is set; then it needs "
                                                "'Authorization: Bearer <METRICS_TOKEN>'.")
@blp.response(200, description="Prometheus text format.", content_type=CONTENT_TYPE_LATEST)
@blp.alt_response(401, description="METRICS_TOKEN is set and was not presented.")
def metrics():
    expected = current_app.config.get("METRICS_TOKEN")
    refused = require_operator_token(expected, "METRICS_TOKEN") if expected else None
    if refused:
        return refused
    return Response(render(current_app.config["DATA_DIR"], bool(current_app.config["KAFKA_BOOTSTRAP_SERVERS"])),
                    mimetype=CONTENT_TYPE_LATEST)


def docs_asset(filename):
    """Swagger UI's files, installed from PyPI, so /docs works without internet."""
    return send_from_directory(swagger_ui_path, filename)
