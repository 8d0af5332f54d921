"""Held messages on the conformance tier."""
from tests.shared.held_messages import *  # noqa: F401,F403
