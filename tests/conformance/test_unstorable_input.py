"""Input no database can store, on the conformance tier."""
from tests.shared.unstorable_input import *  # noqa: F401,F403
