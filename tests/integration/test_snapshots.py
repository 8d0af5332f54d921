"""Snapshot and lease properties on the integration tier."""
from tests.shared.snapshot_properties import *  # noqa: F401,F403
