"""Blueprint `account`: a person's own page — name, address, language, password, their data to
download, and deleting the account; and taking over a group whose last initiator left."""

from web.account import takeover as _takeover  # noqa: F401  (registers its routes)
from web.account.routes import bp

__all__ = ["bp"]
