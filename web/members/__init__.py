"""Blueprint `members` (see web/__init__.py for what it holds)."""

from web.members.routes import bp

__all__ = ["bp"]
