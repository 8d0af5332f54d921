"""The shared webhook suite on the conformance tier."""
from tests.shared.api_webhooks import *  # noqa: F401,F403
