"""The account page's changes: name, language and e-mail address.

A new address counts only once the link mailed to it is opened; the old address is told, so a
stranger who got into the account cannot quietly take it over.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.accounts import check_password, find_person, normalise_email
from engine.errors import InvalidInput, Refused
from engine.i18n import FORMER_MEMBER, LOCALES, msg
from engine.mail.mailer import Mailer
from engine.models import Person

log = logging.getLogger(__name__)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def change_name(session: Session, person: Person, name: str) -> None:
    """Set the name the person is shown with."""
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 200 or FORMER_MEMBER in name:
        raise InvalidInput(msg("Enter your name (at most 200 characters)."), field="name")
    person.name = name
    session.flush()


def change_language(session: Session, person: Person, locale: str) -> None:
    """Set the language of the person's pages and mail."""
    if locale not in LOCALES:
        raise InvalidInput(msg("Choose Dutch or English."), field="locale")
    person.locale = locale
    session.flush()


def request_email_change(
    session: Session,
    person: Person,
    email: str,
    password: str,
    now: datetime,
    mailer: Mailer,
) -> str:
    """Mail a confirmation link to the new address and tell the old one; return the new one.

    Nothing changes until the link is opened. The password is asked: whoever controls the
    address controls the account (a reset link goes there).
    """
    if not check_password(person, password):
        raise Refused(msg("This is not your current password."), field="password")
    email = normalise_email(email)
    if "@" not in email or " " in email or len(email) > 254:
        raise InvalidInput(msg("Enter a valid e-mail address."), field="email")
    if email == person.email:
        raise InvalidInput(msg("This is already your e-mail address."), field="email")
    if find_person(session, email) is not None:
        raise Refused(msg("An account with this e-mail address already exists."), field="email")
    token = secrets.token_urlsafe(32)
    person.pending_email, person.pending_email_token_hash = email, _hash(token)
    session.flush()
    key = person.pending_email_token_hash[:16]
    mailer.queue(
        session,
        template="email_change",
        key=f"email-change:{person.id}:{key}",
        to_addr=email,
        to_name=person.name,
        person_id=person.id,
        locale=person.locale,
        now=now,
        name=person.name,
        link=mailer.url(f"/account/email/{token}"),
        secret=True,
    )
    mailer.queue(
        session,
        template="email_change_notice",
        key=f"email-change-notice:{person.id}:{key}",
        to_addr=person.email,
        to_name=person.name,
        person_id=person.id,
        locale=person.locale,
        now=now,
        name=person.name,
        new_email=email,
        reset=mailer.url("/password/reset"),
    )
    log.info("person %s asked to change their e-mail address", person.id)
    return email


def confirm_email_change(session: Session, token: str, now: datetime) -> Person:
    """Make the new address the person's own, with the link mailed to it."""
    person = session.scalar(
        select(Person).where(Person.pending_email_token_hash == _hash(token or ""))
    )
    if person is None or not person.is_active or not person.pending_email:
        raise Refused(msg("This link is no longer valid. Ask for a new one on your account page."))
    taken = session.scalar(
        select(Person.id).where(
            func.lower(Person.email) == person.pending_email, Person.id != person.id
        )
    )
    if taken is not None:
        person.pending_email = person.pending_email_token_hash = None
        session.flush()
        raise Refused(msg("An account with this e-mail address already exists."))
    person.email = person.pending_email
    person.pending_email = person.pending_email_token_hash = None
    person.email_confirmed_dt, person.confirm_token_hash = now, None
    session.flush()
    log.info("person %s changed their e-mail address", person.id)
    return person
