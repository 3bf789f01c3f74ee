"""People: residents, coaches and admins who log in with one known password."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy.orm import Session

from engine.accounts import create_person
from engine.models import Person

#: every factory-made person logs in with this password
PASSWORD = "wachtwoord-123"
#: the roles a visitor can have towards one initiative, besides being anonymous
ROLE_PEOPLE = ("outsider", "member", "initiator", "partner", "coach", "admin")

_counter = itertools.count(1)
_HASHES: dict[str, str] = {}


def person(
    session: Session,
    now: datetime,
    name: str | None = None,
    *,
    role: str = "resident",
    password: str | None = PASSWORD,
    **kw,
) -> Person:
    """An account (a resident unless ``role`` says otherwise) that logs in with ``password``.

    The hash of a password is made once per run: hashing is slow on purpose.
    """
    from werkzeug.security import generate_password_hash

    n = next(_counter)
    someone = create_person(
        session,
        email=kw.pop("email", f"bewoner{n}@example.nl"),
        name=name or f"Bewoner {n}",
        role=role,
        now=now,
        **kw,
    )
    if password is not None:
        if password not in _HASHES:
            _HASHES[password] = generate_password_hash(password)
        someone.password_hash = _HASHES[password]
        session.flush()
    return someone


def staff(session: Session, now: datetime, role: str = "coach", name: str | None = None) -> Person:
    """A municipal process coach (or, with ``role="admin"``, an admin)."""
    return person(session, now, name or f"Procesbegeleider {next(_counter)}", role=role)


def people_in_every_role(session: Session, now: datetime) -> dict[str, Person]:
    """A resident outside the group, a member, an initiator, a partner, a coach and an admin.

    :func:`tests.factories.initiatives.initiative_for_roles` gives the three residents their
    roles in an initiative.
    """
    names = {
        "outsider": ("Kees Buitenstaander", "resident"),
        "member": ("Fatima El Amrani", "resident"),
        "initiator": ("Anna de Vries", "resident"),
        "partner": ("Marieke Jansen", "resident"),
        "coach": ("Sanne Visser", "coach"),
        "admin": ("Beheerder Verbinding", "admin"),
    }
    return {key: person(session, now, name, role=role) for key, (name, role) in names.items()}


def password_reset_token(session: Session, someone: Person, now: datetime) -> str:
    """A valid one-time password-reset token for a person (as the mailed link carries)."""
    import secrets
    from datetime import timedelta

    from engine.accounts import RESET_HOURS, _hash_token
    from engine.models import PasswordReset

    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            person_id=someone.id,
            token_hash=_hash_token(token),
            created_dt=now,
            expires_dt=now + timedelta(hours=RESET_HOURS),
        )
    )
    session.flush()
    return token
