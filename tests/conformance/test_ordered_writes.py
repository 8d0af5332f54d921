"""Ordered writes on the conformance tier (MongoDB: bulkWrite from 8.0, one command per write before)."""
from tests.shared.ordered_writes import *  # noqa: F401,F403
