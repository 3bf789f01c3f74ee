"""The survey: built by the group, answered online and on paper, counted in results."""

from web.surveys.routes import bp

__all__ = ["bp"]
