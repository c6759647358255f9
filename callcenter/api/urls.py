"""Register the call center's resources in the API router: each module registers its own."""

from ..complaints import api as complaints_api  # noqa: F401
from . import calls, followups, rules  # noqa: F401
