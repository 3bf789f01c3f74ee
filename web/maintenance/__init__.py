"""Blueprint `maintenance` (see web/__init__.py for what it holds)."""

from web.maintenance import history as _history  # noqa: F401  (registers the wording)
from web.maintenance.routes import bp

__all__ = ["bp"]
