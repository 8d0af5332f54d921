"""RFC 9457 problem+json for every error, whoever raised it.

Field-level messages go in `errors` (422). No stack trace ever reaches a body: an
unexpected exception is logged here and answered with a bare 500.
"""
import logging

from marshmallow import ValidationError
from pymongo.errors import PyMongoError
from werkzeug.exceptions import InternalServerError

from schemas.problem import problem
from services.errors import ServiceError, database_unavailable
from services.json_text import LoneSurrogate
from services.pagination import InvalidCursor

log = logging.getLogger(__name__)

DB_RETRY_AFTER_S = 5


def register_error_handlers(app) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError):
        return problem(error.status, error.title, error.detail, type_=f"urn:chatkeep:problem:{error.slug}")

    @app.errorhandler(ValidationError)
    def _validation_error(error: ValidationError):
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        return problem(422, "Unprocessable Content", errors=messages)

    @app.errorhandler(LoneSurrogate)
    def _not_text(error: LoneSurrogate):
        return problem(400, "Bad Request", str(error))

    @app.errorhandler(RecursionError)
    def _too_deep(error):  # json.loads on absurdly nested input
        return problem(400, "Bad Request", "The body is nested too deeply to be read.")

    @app.errorhandler(InvalidCursor)
    def _bad_cursor(error: InvalidCursor):
        return problem(422, "Unprocessable Content", errors={error.field: [str(error)]})

    @app.errorhandler(PyMongoError)
    def _database_error(error):
        if not database_unavailable(error):
            log.error("database error: %s", type(error).__name__, exc_info=error)
            return problem(500, "Internal Server Error")
        log.warning("database unavailable: %s", type(error).__name__)
        return problem(503, "Service Unavailable", "The database is unreachable; retry shortly.",
                       type_="urn:chatkeep:problem:database-unavailable",
                       headers={"Retry-After": str(DB_RETRY_AFTER_S)})

    @app.errorhandler(InternalServerError)
    def _internal(error):
        return problem(500, "Internal Server Error")
