"""People: creating accounts and checking passwords."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from engine.errors import InvalidInput, Refused
from engine.i18n import msg
from engine.mail.mailer import Mailer
from engine.models import PasswordReset, Person
from engine.models.people import STAFF_ROLES

MIN_PASSWORD = 8
RESET_HOURS = 2


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
        raise InvalidInput(msg("Enter a valid e-mail address."), field="email")
    if not 1 <= len(name) <= 200:
        raise InvalidInput(msg("Enter your name (at most 200 characters)."), field="name")
    if role not in STAFF_ROLES:
        raise InvalidInput(msg("Choose a role: resident, coach or admin."), field="role")
    if password is not None and len(password) < MIN_PASSWORD:
        raise InvalidInput(msg("A password has at least 8 characters."), field="password")
    if find_person(session, email) is not None:
        raise Refused(msg("An account with this e-mail address already exists."), field="email")
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
    if not person.password_hash:
        return False
    return check_password_hash(person.password_hash, password)


def set_password(person: Person, password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(msg("A password has at least 8 characters."), field="password")
    person.password_hash = generate_password_hash(password)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(
    session: Session, email: str, now: datetime, mailer: Mailer
) -> PasswordReset | None:
    """Mail a one-time link to set a new password, if the address has an account.

    The caller shows the same answer either way, so the form does not reveal who has an account.
    """
    person = find_person(session, email)
    if person is None or not person.is_active:
        return None
    token = secrets.token_urlsafe(32)
    reset = PasswordReset(
        person_id=person.id,
        token_hash=_hash_token(token),
        created_dt=now,
        expires_dt=now + timedelta(hours=RESET_HOURS),
    )
    session.add(reset)
    session.flush()
    mailer.queue(
        session,
        template="password_reset",
        key=f"password-reset:{reset.id}",
        to_addr=person.email,
        to_name=person.name,
        person_id=person.id,
        locale=person.locale,
        now=now,
        name=person.name,
        hours=RESET_HOURS,
        link=mailer.url(f"/password/new/{token}"),
    )
    return reset


def reset_password(session: Session, token: str, password: str, now: datetime) -> Person:
    """Set a new password with a link from the mail; each link works once, for a while."""
    reset = session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == _hash_token(token or ""))
    )
    if reset is None or reset.used_dt is not None or reset.expires_dt <= now:
        raise Refused(msg("This link is no longer valid. Ask for a new one."))
    person = session.get(Person, reset.person_id)
    assert person is not None
    set_password(person, password)
    reset.used_dt = now
    session.flush()
    return person
