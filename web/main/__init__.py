"""The public front: the list of initiatives, language choice, health check."""

from web.main.routes import bp

__all__ = ["bp"]
