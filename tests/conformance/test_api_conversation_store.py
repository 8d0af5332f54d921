"""The shared conversation-store API suite on the conformance tier."""
from tests.shared.api_conversations import *  # noqa: F401,F403
from tests.shared.api_messages import *  # noqa: F401,F403
from tests.shared.api_isolation import *  # noqa: F401,F403
