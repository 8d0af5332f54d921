"""Order and sales-statistics properties on the integration tier."""
from tests.shared.sales_properties import *  # noqa: F401,F403
