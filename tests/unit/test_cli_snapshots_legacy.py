"""Snapshot and legacy-import commands on the unit tier."""
from tests.shared.cli_snapshots_legacy import *  # noqa: F401,F403
