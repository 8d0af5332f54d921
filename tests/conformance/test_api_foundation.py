"""The shared foundation API suite on the conformance tier."""
from tests.shared.api_ops import *  # noqa: F401,F403
from tests.shared.api_sessions import *  # noqa: F401,F403
from tests.shared.api_tenants import *  # noqa: F401,F403
