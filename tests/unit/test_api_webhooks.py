"""The shared webhook suite on the unit tier."""
from tests.shared.api_webhooks import *  # noqa: F401,F403
