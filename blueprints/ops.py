"""Operations: liveness, readiness, metrics, and the offline API docs assets."""
from flask import Response, current_app, send_from_directory
from prometheus_client import CONTENT_TYPE_LATEST
from pymongo.errors import PyMongoError
from swagger_ui_bundle import swagger_ui_path

from blueprints.problems import DB_RETRY_AFTER_S
from extensions import PUBLIC, Blueprint
from models.db import ping
from schemas.problem import problem
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
@blp.alt_response(503, description="The database is unreachable.")
def readyz():
    try:
        ping(current_app.config["DB_TIMEOUT_MS"] / 1000)
    except PyMongoError:
        return problem(503, "Service Unavailable", "The database is unreachable.",
                       type_="urn:chatkeep:problem:database-unavailable",
                       headers={"Retry-After": str(DB_RETRY_AFTER_S)})
    return {"status": "ready"}


@blp.route("/metrics")
@blp.doc(security=PUBLIC)
@blp.response(200, description="Prometheus text format.", content_type=CONTENT_TYPE_LATEST)
def metrics():
    return Response(render(current_app.config["DATA_DIR"], bool(current_app.config["KAFKA_BOOTSTRAP_SERVERS"])),
                    mimetype=CONTENT_TYPE_LATEST)


def docs_asset(filename):
    """Swagger UI's files, installed from PyPI, so /docs works without internet."""
    return send_from_directory(swagger_ui_path, filename)
