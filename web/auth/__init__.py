"""Accounts: register, log in and out, reset a forgotten password."""

from web.auth.routes import bp

__all__ = ["bp"]
