"""Flask-Login's view of a person."""

from __future__ import annotations

from flask_login import AnonymousUserMixin, UserMixin

from engine.models import Person
from web.database import db
from web.extensions import login_manager
from web.inputs import parse_id


class CurrentUser(UserMixin):
    """The logged-in person. The id includes part of the password hash, so changing the
    password ends every other session."""

    def __init__(self, person: Person) -> None:
        self.person = person

    def get_id(self) -> str:
        return f"{self.person.id}:{(self.person.password_hash or '')[-12:]}"

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
def load_user(user_id: str) -> CurrentUser | None:
    pid, _, fingerprint = user_id.partition(":")
    number = parse_id(pid)
    if number is None:
        return None
    person = db().get(Person, number)
    if person is None or (person.password_hash or "")[-12:] != fingerprint:
        return None
    return CurrentUser(person)


login_manager.anonymous_user = Anonymous
