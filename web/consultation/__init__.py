"""The neighbourhood's consultation on a stage of an initiative."""

from web.consultation.routes import bp

__all__ = ["bp"]
