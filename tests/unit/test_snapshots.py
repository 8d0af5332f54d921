"""Snapshot and lease properties on the unit tier."""
from tests.shared.snapshot_properties import *  # noqa: F401,F403
