"""Snapshot and lease properties on the conformance tier."""
from tests.shared.snapshot_properties import *  # noqa: F401,F403
