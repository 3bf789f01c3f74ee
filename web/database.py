"""One database session per request, and one commit per request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g
from sqlalchemy.orm import Session

from engine.db import conflict_guard
from engine.runtime import Runtime

T = TypeVar("T")


def runtime() -> Runtime:
    return current_app.extensions["verbinding"]


def db() -> Session:
    """The request's session (created on first use, closed at the end of the request)."""
    if "db" not in g:
        g.db = runtime().sessions()
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def perform(operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one engine operation in the request's transaction and commit it.

    Any refusal or lost race rolls everything back and propagates as a typed engine error.
    """
    session = db()
    try:
        with conflict_guard():
            result = operation(session, *args, **kwargs)
            session.commit()
    except BaseException:
        session.rollback()
        raise
    return result
