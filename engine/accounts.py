"""People: creating accounts and checking passwords."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from engine.errors import InvalidInput, Refused
from engine.i18n import msg
from engine.models import Person
from engine.models.people import STAFF_ROLES

MIN_PASSWORD = 8


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_person(session: Session, email: str) -> Person | None:
    return session.scalar(select(Person).where(func.lower(Person.email) == normalise_email(email)))


def create_person(
    session: Session,
    *,
    email: str,
    name: str,
    now: datetime,
    password: str | None = None,
    role: str = "resident",
    locale: str = "nl",
) -> Person:
    """Create an account; refuse a taken e-mail address or a short password."""
    email = normalise_email(email)
    name = " ".join((name or "").split())
    if "@" not in email or " " in email or len(email) > 254:
        raise InvalidInput(msg("Enter a valid e-mail address."))
    if not 1 <= len(name) <= 200:
        raise InvalidInput(msg("Enter your name (at most 200 characters)."))
    if role not in STAFF_ROLES:
        raise InvalidInput(msg("Choose a role: resident, coach or admin."))
    if password is not None and len(password) < MIN_PASSWORD:
        raise InvalidInput(msg("A password has at least 8 characters."))
    if find_person(session, email) is not None:
        raise Refused(msg("An account with this e-mail address already exists."))
    person = Person(
        email=email,
        name=name,
        password_hash=generate_password_hash(password) if password else None,
        role=role,
        locale=locale if locale in ("nl", "en") else "nl",
        created_dt=now,
    )
    session.add(person)
    session.flush()
    return person


def check_password(person: Person, password: str) -> bool:
    return bool(person.password_hash) and check_password_hash(person.password_hash, password)


def set_password(person: Person, password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(msg("A password has at least 8 characters."))
    person.password_hash = generate_password_hash(password)
