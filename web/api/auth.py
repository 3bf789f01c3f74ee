"""Who calls the API: a personal access token (``Authorization: Bearer vb_…``) or nobody.

The API never reads the browser's session cookie, so a page on another site cannot make a
signed-in browser change anything (that is why the API needs no CSRF token). Calls are
rate limited like the pages: every change counts against ``RATE_LIMIT_POST`` (those that send
mail against ``RATE_LIMIT_MAIL``) per person and, higher, per client address; a wrong token
counts against ``RATE_LIMIT_LOGIN`` per client address.
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests

from engine.api_tokens import authenticate
from engine.db import utcnow
from engine.models import Initiative, Person
from engine.operations.common import member_role
from engine.permissions import can_view
from engine.ratelimit import hit_all
from web.api.problems import problem, titles
from web.database import db

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: operations that send mail to others (count against RATE_LIMIT_MAIL)
MAIL = frozenset({"api-support.file_request"})


class ApiRefusal(Exception):
    """A refusal the API answers at once (not signed in, read-only token)."""

    def __init__(self, response) -> None:
        self.response = response


def _count(action: str, person: Person | None) -> None:
    config = current_app.config["VERBINDING"]
    count, seconds = {
        "login": config.rate_limit_login,
        "mail": config.rate_limit_mail,
        "post": config.rate_limit_post,
    }[action]
    now = utcnow()
    session = db()
    limits = {
        f"{action}:address:{request.remote_addr}": (
            count * config.rate_limit_address_factor, seconds,
        )
    }  # fmt: skip
    if person is not None:
        limits[f"{action}:person:{person.id}"] = (count, seconds)
    wait = hit_all(session, limits, now)  # both keys in one statement
    session.commit()  # the count stands, whatever the call's own fate
    if wait is not None:
        raise TooManyRequests(retry_after=wait)


def authenticate_request():
    """Before every API call: find the token's person, count the call, refuse what it may not."""
    g.api_person = None
    g.api_scope = None
    header = request.headers.get("Authorization", "")
    if header:
        kind, _sep, secret = header.partition(" ")
        found = authenticate(db(), secret.strip(), utcnow()) if kind.lower() == "bearer" else None
        if found is None:
            _count("login", None)
            return problem(
                401, titles()["unauthorized"],
                _("The token is unknown or was revoked. Make a new one on your account page."),
                kind="unauthorized", headers={"WWW-Authenticate": 'Bearer realm="verbinding"'},
            )  # fmt: skip
        db().commit()  # its last use
        g.api_person, token = found
        g.api_scope = token.scope
    if request.method in WRITES:
        action = "mail" if request.endpoint in MAIL else "post"
        _count(action, g.api_person)
    return None


def person() -> Person | None:
    return g.get("api_person")


def signed_in() -> Person:
    """The caller, who must have sent a token."""
    found = person()
    if found is None:
        raise ApiRefusal(
            problem(
                401,
                titles()["unauthorized"],
                _("Send a personal access token."),
                kind="unauthorized",
                headers={"WWW-Authenticate": 'Bearer realm="verbinding"'},
            )  # fmt: skip
        )
    return found


def writer() -> Person:
    """The caller, whose token may change things (scope ``write``, a confirmed address)."""
    found = signed_in()
    if g.get("api_scope") != "write":
        raise ApiRefusal(
            problem(
                403, titles()["read-only"], _("Make a token that may also write."), kind="read-only"
            )  # fmt: skip
        )
    if found.email_confirmed_dt is None:
        raise ApiRefusal(
            problem(
                403,
                titles()["forbidden"],
                _("Confirm your e-mail address first; the mail we sent has a link."),
                kind="forbidden",
            )  # fmt: skip
        )
    return found


def not_found():
    return ApiRefusal(problem(404, titles()["not-found"], kind="not-found"))


def visible_initiative(initiative_id: int) -> tuple[Initiative, str | None]:
    """The initiative and the caller's role in it; 404 when it is not there for them (as the
    pages: ``engine.permissions.can_view``)."""
    initiative = db().get(Initiative, initiative_id)
    if initiative is None:
        raise not_found()
    caller = person()
    role = member_role(db(), initiative.id, caller.id if caller else None)
    if not can_view(initiative, caller, role):
        raise not_found()
    return initiative, role
