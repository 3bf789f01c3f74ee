"""The public front: the list of initiatives, language choice, health check, theme."""

from web.main import assets  # noqa: F401  (registers the theme and the icon)
from web.main.routes import bp

__all__ = ["bp"]
