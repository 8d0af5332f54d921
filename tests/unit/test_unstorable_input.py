"""Input no database can store, on the unit tier."""
from tests.shared.unstorable_input import *  # noqa: F401,F403
