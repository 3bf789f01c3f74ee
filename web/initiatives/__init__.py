"""Blueprint `initiatives` (see web/__init__.py for what it holds)."""

from web.initiatives.routes import bp

__all__ = ["bp"]
