"""Personal access tokens for the API, on the person's account (``/account/tokens``)."""

from web.account_tokens.routes import bp

__all__ = ["bp"]
