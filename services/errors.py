"""Domain errors. The HTTP layer maps each to a problem+json status."""
from pymongo.errors import ConnectionFailure, ExecutionTimeout


def database_unavailable(error: Exception) -> bool:
    """Whether a driver error means "the database cannot be reached now" (retryable)."""
    return isinstance(error, (ConnectionFailure, ExecutionTimeout)) or bool(getattr(error, "timeout", False))


class ServiceError(Exception):
    status = 400
    title = "Bad Request"
    slug = "bad-request"

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class NotFound(ServiceError):
    status, title, slug = 404, "Not Found", "not-found"


class Conflict(ServiceError):
    status, title, slug = 409, "Conflict", "conflict"


def found(document, detail: str):
    """`document`, or NotFound(detail) when the lookup found none."""
    if document is None:
        raise NotFound(detail)
    return document
