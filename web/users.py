"""Flask-Login's view of a person, backed by a login session on the server (engine.signin).

The session and remember cookies carry only the login session's reference (``<id>:<secret>``);
it is looked up on every request, so a session ended at logout, a new password or "log out
everywhere" ends every copy of the cookies too.
"""

from __future__ import annotations

from flask import current_app, g, request, session
from flask_login import AnonymousUserMixin, UserMixin, login_user

from engine.db import utcnow
from engine.models import Person
from engine.signin import signed_in, start_session
from web.database import db
from web.extensions import login_manager
from web.i18n import reader_changed


class CurrentUser(UserMixin):
    """The logged-in person, and the login session they came in with."""

    def __init__(self, person: Person, reference: str, unread: int | None = None) -> None:
        self.person = person
        self.reference = reference
        #: the unread notifications, read with the person (None: not read yet)
        self.unread = unread

    def get_id(self) -> str:
        return self.reference

    @property
    def is_active(self) -> bool:
        return self.person.is_active

    @property
    def is_staff(self) -> bool:
        return self.person.role in ("coach", "admin")


class Anonymous(AnonymousUserMixin):
    person = None
    is_staff = False


@login_manager.user_loader
def load_user(reference: str) -> CurrentUser | None:
    found = signed_in(db(), reference, utcnow())
    if found is None or not found.person.is_active:
        return None
    return CurrentUser(found.person, reference, found.unread)


def sign_in(person: Person, *, remember: bool = False) -> None:
    """Start a login session for ``person`` (the caller commits) and give this browser its
    cookies; the CSRF token starts afresh, so one seen before the login is worth nothing."""
    config = current_app.config["VERBINDING"]
    reference = start_session(
        db(),
        person,
        now=utcnow(),
        remember=remember,
        days=config.remember_days,
        user_agent=request.user_agent.string,
    )
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)
    login_user(CurrentUser(person, reference), remember=remember)
    reader_changed()


login_manager.anonymous_user = Anonymous
