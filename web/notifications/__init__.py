"""Blueprint `notifications`: what happened, newest first, with an unread count in the header."""

from web.notifications.routes import bp

__all__ = ["bp"]
