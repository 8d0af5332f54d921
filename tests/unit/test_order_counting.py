"""Interrupted order counts finished once, on the unit tier."""
from tests.shared.order_counting import *  # noqa: F401,F403
