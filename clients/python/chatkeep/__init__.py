"""ChatKeep's Python client: `from chatkeep import ChatKeep, ProblemError, verify_webhook`.

Generated code (chatkeep._generated, from the service's /openapi.json) holds the
operations and the typed models (`chatkeep.models`); this package adds the names of
the client contract (../CLIENTS.md in the project): resources, iterators over pages,
ProblemError for every error answer, webhook signature checks, sync and async.
"""
from ._client import AsyncChatKeep, ChatKeep
from ._errors import ChatKeepError, ProblemError, WebhookVerificationError
from . import models
from ._webhooks import verify_webhook

__version__ = "1.2.0"  # the API's version
__all__ = ["AsyncChatKeep", "ChatKeep", "ChatKeepError", "ProblemError", "WebhookVerificationError", "models",
           "verify_webhook", "__version__"]
