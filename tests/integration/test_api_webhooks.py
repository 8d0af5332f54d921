"""The shared webhook suite on the integration tier."""
from tests.shared.api_webhooks import *  # noqa: F401,F403
