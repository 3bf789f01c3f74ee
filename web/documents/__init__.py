"""Blueprint `documents` (see web/__init__.py for what it holds)."""

from web.documents.routes import bp

__all__ = ["bp"]
