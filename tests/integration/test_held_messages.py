"""Held messages on the integration tier."""
from tests.shared.held_messages import *  # noqa: F401,F403
