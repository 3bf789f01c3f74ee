"""Blueprint `discussions` (see web/__init__.py for what it holds)."""

from web.discussions.routes import bp

__all__ = ["bp"]
