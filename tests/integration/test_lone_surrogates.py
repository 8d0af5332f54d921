"""Lone surrogates in request bodies on the integration tier."""
from tests.shared.lone_surrogates import *  # noqa: F401,F403
