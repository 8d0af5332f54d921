"""Conversation-store properties on the integration tier."""
from tests.shared.store_properties import *  # noqa: F401,F403
