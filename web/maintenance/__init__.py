"""Blueprint `maintenance` (see web/__init__.py for what it holds)."""

from web.maintenance.routes import bp

__all__ = ["bp"]
