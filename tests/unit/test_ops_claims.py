"""README's operational claims on the unit tier."""
from tests.shared.ops_claims import *  # noqa: F401,F403
