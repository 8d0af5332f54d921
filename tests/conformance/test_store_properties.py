"""Conversation-store properties on the conformance tier."""
from tests.shared.store_properties import *  # noqa: F401,F403
