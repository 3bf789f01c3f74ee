"""People: creating accounts, confirming addresses, checking and resetting passwords.

Signing in, asking for a reset and registering do the same work whether or not the address has
an account (a password hash either way) and say the same thing, so neither the answer nor its
timing tells who has an account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from engine.errors import InvalidInput, Refused
from engine.i18n import msg
from engine.mail.mailer import Mailer
from engine.models import PasswordReset, Person
from engine.models.people import STAFF_ROLES
from engine.signin import end_all_sessions

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
    confirmed: bool = True,
) -> Person:
    """Create an account; refuse a taken e-mail address or a short password.

    Accounts made by an admin, the CLI or the demo count as confirmed; self-registration
    (:func:`register`) passes ``confirmed=False`` and mails a link.
    """
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
        email_confirmed_dt=now if confirmed else None,
    )
    session.add(person)
    session.flush()
    return person


@cache
def _dummy_hash() -> str:
    """A hash of nothing anyone types, checked when there is no account, so the work is equal."""
    return generate_password_hash(secrets.token_urlsafe(16))


def check_password(person: Person, password: str) -> bool:
    if not person.password_hash:
        check_password_hash(_dummy_hash(), password or "")
        return False
    return check_password_hash(person.password_hash, password)


def check_login(session: Session, email: str, password: str) -> Person | None:
    """The active account with this address and password, or None; the same work either way."""
    person = find_person(session, email)
    if person is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not check_password(person, password) or not person.is_active:
        return None
    return person


def set_password(person: Person, password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(msg("A password has at least 8 characters."), field="password")
    person.password_hash = generate_password_hash(password)


def change_password(session: Session, person: Person, password: str, now: datetime) -> None:
    """Set a new password: every session of the person ends, and so does every reset link."""
    set_password(person, password)
    end_all_sessions(session, person.id, now)
    _close_resets(session, person.id, now)
    session.flush()


def change_own_password(
    session: Session, person: Person, current: str, password: str, now: datetime
) -> None:
    """A signed-in person sets a new password, knowing the old one; every session ends."""
    if not check_password(person, current):
        raise Refused(msg("This is not your current password."), field="current")
    change_password(session, person, password, now)


def _close_resets(session: Session, person_id: int, now: datetime) -> None:
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.person_id == person_id, PasswordReset.used_dt.is_(None))
        .values(used_dt=now)
    )


def _mail(
    session: Session, mailer: Mailer, person: Person, template: str, key: str, now: datetime,
    **context: Any,
) -> None:  # fmt: skip
    """Queue a mail to ``person``, in their language, greeting them by name."""
    mailer.queue(
        session,
        template=template,
        key=key,
        to_addr=person.email,
        to_name=person.name,
        person_id=person.id,
        locale=person.locale,
        now=now,
        name=person.name,
        **context,
    )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(
    session: Session, email: str, now: datetime, mailer: Mailer
) -> PasswordReset | None:
    """Mail a one-time link to set a new password, if the address has an account.

    The caller shows the same answer either way, so the form does not reveal who has an account.
    """
    person = find_person(session, email)
    # the hash costs what the rest costs when there is an account, and hides which it was
    generate_password_hash(secrets.token_urlsafe(16))
    if person is None or not person.is_active:
        return None
    _close_resets(session, person.id, now)  # only the newest link works
    token = secrets.token_urlsafe(32)
    reset = PasswordReset(
        person_id=person.id,
        token_hash=_hash_token(token),
        created_dt=now,
        expires_dt=now + timedelta(hours=RESET_HOURS),
    )
    session.add(reset)
    session.flush()
    _mail(
        session,
        mailer,
        person,
        "password_reset",
        f"password-reset:{reset.id}",
        now,
        hours=RESET_HOURS,
        link=mailer.url(f"/password/new/{token}"),
        secret=True,
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
    change_password(session, person, password, now)
    if person.email_confirmed_dt is None:  # the link came to the address: it is theirs
        person.email_confirmed_dt, person.confirm_token_hash = now, None
    session.flush()
    return person


def register(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    locale: str,
    now: datetime,
    mailer: Mailer,
) -> Person | None:
    """Register, or mail the owner when the address already has an account; the caller says
    "we sent you a mail" either way. The new account waits for its address to be confirmed.
    """
    person = find_person(session, email)
    if person is None:
        person = create_person(
            session,
            email=email,
            name=name,
            password=password,
            locale=locale,
            now=now,
            confirmed=False,
        )
        send_confirmation(session, person, now, mailer)
        return person
    # the same checks and the same hash as a new account, then a word to the owner
    create_person_checks(email=email, name=name, password=password)
    generate_password_hash(password)
    stamp = int(now.timestamp() * 1000)
    _mail(
        session,
        mailer,
        person,
        "register_attempt",
        f"register-attempt:{person.id}:{stamp}",
        now,
        login=mailer.url("/login"),
        reset=mailer.url("/password/reset"),
    )
    return None


def create_person_checks(*, email: str, name: str, password: str) -> None:
    """What :func:`create_person` refuses before it looks for the address."""
    email = normalise_email(email)
    if "@" not in email or " " in email or len(email) > 254:
        raise InvalidInput(msg("Enter a valid e-mail address."), field="email")
    if not 1 <= len(" ".join((name or "").split())) <= 200:
        raise InvalidInput(msg("Enter your name (at most 200 characters)."), field="name")
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(msg("A password has at least 8 characters."), field="password")


def send_confirmation(session: Session, person: Person, now: datetime, mailer: Mailer) -> None:
    """Mail a link that confirms the address; a newer mail's link replaces the older one."""
    if person.email_confirmed_dt is not None:
        return
    token = secrets.token_urlsafe(32)
    person.confirm_token_hash = _hash_token(token)
    session.flush()
    _mail(
        session,
        mailer,
        person,
        "email_confirm",
        f"email-confirm:{person.id}:{person.confirm_token_hash[:16]}",
        now,
        link=mailer.url(f"/register/confirm/{token}"),
        secret=True,
    )


def confirm_email(session: Session, token: str, now: datetime) -> Person:
    """Confirm an address with the link from the mail."""
    person = session.scalar(
        select(Person).where(Person.confirm_token_hash == _hash_token(token or ""))
    )
    if person is None or not person.is_active:
        raise Refused(msg("This link is no longer valid. Log in to get a new one."))
    person.email_confirmed_dt, person.confirm_token_hash = now, None
    session.flush()
    return person
