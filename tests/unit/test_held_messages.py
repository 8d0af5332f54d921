"""Held messages on the unit tier."""
from tests.shared.held_messages import *  # noqa: F401,F403
