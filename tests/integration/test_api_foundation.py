"""The shared foundation API suite on the integration tier."""
from tests.shared.api_ops import *  # noqa: F401,F403
from tests.shared.api_sessions import *  # noqa: F401,F403
from tests.shared.api_tenants import *  # noqa: F401,F403
