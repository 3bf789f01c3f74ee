"""One database session per request, one commit per request, and a plain 503 while the
database cannot be reached."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, has_request_context, render_template, request
from sqlalchemy.orm import Session

from engine.db import conflict_guard, is_unavailable, one_line, read_only
from engine.runtime import Runtime

log = logging.getLogger(__name__)
T = TypeVar("T")
#: what a 503 asks browsers and proxies to wait before trying again
RETRY_AFTER_SECONDS = 30


def runtime() -> Runtime:
    return current_app.extensions["verbinding"]


def db() -> Session:
    """The request's session (created on first use, closed at the end of the request). A GET
    or HEAD reads only (engine.db.read_only: no transaction around its reads on PostgreSQL),
    unless its view is marked :func:`transaction_on_get` or it is a call of the API."""
    if "db" not in g:
        session = g.db = runtime().sessions()
        if has_request_context() and request.method in READING and not _transaction_on_get():
            read_only(session)
    return g.db


#: the methods that only read (a view that needs a transaction says so: transaction_on_get)
READING = ("GET", "HEAD")
F = TypeVar("F", bound=Callable[..., Any])


def transaction_on_get(view: F) -> F:
    """Mark a view whose GET needs a transaction: it writes (the link in a mail that confirms
    an address), or it reads through a server-side cursor (PostgreSQL opens one only inside a
    transaction). Its request keeps one transaction, as a POST does."""
    view._vb_transaction_on_get = True  # type: ignore[attr-defined]
    return view


def _transaction_on_get() -> bool:
    from web.api.problems import is_api

    if is_api():
        return True  # a token's call is noted on the token (web/api/auth.py)
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "_vb_transaction_on_get", False)


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        try:
            session.close()
        except Exception as exc:  # noqa: BLE001 - a broken connection is dropped by the pool
            log.warning("closing the request's session failed: %s", one_line(exc))


def database_unavailable_check(error: Exception) -> None:
    """Let a database error that is not about reaching the database go on as a 500."""
    if not is_unavailable(error):
        raise error
    log.warning("database unreachable at %s %s: %s", request.method, request.path, one_line(error))
    close_db()


def database_unavailable(error: Exception) -> tuple[str, int, dict[str, str]]:
    """While the database cannot be reached: 503 with Retry-After and a page that needs no
    database (the visitor is shown as logged out). Any other database error stays a 500."""
    if not is_unavailable(error):
        raise error
    log.warning("database unreachable at %s %s: %s", request.method, request.path, one_line(error))
    close_db()
    from web.users import Anonymous

    g._login_user = Anonymous()  # Flask-Login would ask the database who is logged in
    page = render_template("errors/503.html", retry_after=RETRY_AFTER_SECONDS)
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


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
