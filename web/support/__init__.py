"""Blueprint `support` (see web/__init__.py for what it holds)."""

from web.support.routes import bp

__all__ = ["bp"]
