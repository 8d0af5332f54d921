"""The typed models of every answer and body (generated): `from chatkeep.models import Message`."""
from ._generated.models import *  # noqa: F403
from ._generated.models import __all__  # noqa: F401
