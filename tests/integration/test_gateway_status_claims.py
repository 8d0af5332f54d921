"""README's gateway status mapping claims on the integration tier."""
from tests.shared.gateway_status_claims import *  # noqa: F401,F403
