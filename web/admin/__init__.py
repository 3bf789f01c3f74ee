"""Blueprint `admin` (see web/__init__.py for what it holds)."""

from web.admin.routes import bp

__all__ = ["bp"]
