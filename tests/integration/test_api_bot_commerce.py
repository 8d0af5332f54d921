"""The shared chat-session, order and sales-statistics API suites on the integration tier."""
from tests.shared.api_chat_sessions import *  # noqa: F401,F403
from tests.shared.api_orders import *  # noqa: F401,F403
from tests.shared.api_stats import *  # noqa: F401,F403
