"""README's operational claims on the integration tier."""
from tests.shared.ops_claims import *  # noqa: F401,F403
