"""Blueprint `reminders` (see web/__init__.py for what it holds)."""

from web.reminders.routes import bp

__all__ = ["bp"]
