"""Ordered writes on the unit tier (mongomock: one command per write)."""
from tests.shared.ordered_writes import *  # noqa: F401,F403
