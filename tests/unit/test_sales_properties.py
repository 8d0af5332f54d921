"""Order and sales-statistics properties on the unit tier."""
from tests.shared.sales_properties import *  # noqa: F401,F403
