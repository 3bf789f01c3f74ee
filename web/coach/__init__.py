"""Blueprint `coach` (see web/__init__.py for what it holds)."""

from web.coach.routes import bp

__all__ = ["bp"]
