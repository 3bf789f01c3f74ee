"""Blueprint `meetings`: meetings with the neighbourhood, and residents who support the plan."""

from web.meetings import history as _history  # noqa: F401  (registers the wording)
from web.meetings import supporters as _supporters  # noqa: F401  (registers its views)
from web.meetings.routes import bp

__all__ = ["bp"]
