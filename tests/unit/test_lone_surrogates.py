"""Lone surrogates in request bodies on the unit tier."""
from tests.shared.lone_surrogates import *  # noqa: F401,F403
