"""Blueprint `plan` (see web/__init__.py for what it holds)."""

from web.plan.routes import bp

__all__ = ["bp"]
