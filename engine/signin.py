"""Login sessions kept on the server: the cookies carry a reference, this table says if it holds.

A reference is ``<id>:<secret>``; only the secret's sha256 is stored. Ending a row — at logout,
a new password or "log out everywhere" — ends every copy of the session and remember cookies.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple, cast

from sqlalchemy import CursorResult, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from engine.bounds import MAX_ID
from engine.errors import NotFound
from engine.i18n import msg
from engine.models import LoginSession, Person
from engine.models.notifications import Notification

log = logging.getLogger(__name__)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(
    session: Session,
    person: Person,
    *,
    now: datetime,
    remember: bool,
    days: int,
    user_agent: str | None = None,
) -> str:
    """Record a new sign-in; return the reference the cookies carry."""
    secret = secrets.token_urlsafe(32)
    row = LoginSession(
        person_id=person.id,
        secret_hash=_hash(secret),
        is_remembered=remember,
        created_dt=now,
        expires_dt=now + timedelta(days=days),
        user_agent=(user_agent or "")[:200] or None,
    )
    session.add(row)
    session.flush()
    log.info("login session %s started for person %s", row.id, person.id)
    return f"{row.id}:{secret}"


def _parts(reference: str | None) -> tuple[int, str] | None:
    """A reference's row id and secret, or None when it cannot be one."""
    sid, _, secret = (reference or "").partition(":")
    if not (sid.isascii() and sid.isdigit() and secret) or int(sid) > MAX_ID:
        return None
    return int(sid), secret


def find_session(session: Session, reference: str, now: datetime) -> LoginSession | None:
    """The live session a cookie's reference points to, or None (ended, expired, forged)."""
    parts = _parts(reference)
    if parts is None:
        return None
    row = session.get(LoginSession, parts[0])
    if row is None or not _holds(row, now):
        return None
    if not hmac.compare_digest(row.secret_hash, _hash(parts[1])):
        return None
    return row


#: the person's unread notifications (over the partial index of unread rows)
_UNREAD = (
    select(func.count())
    .select_from(Notification)
    .where(Notification.person_id == Person.id, Notification.read_dt.is_(None))
    .scalar_subquery()
)


#: the person of a live session, its secret's hash and their unread count (built once: making
#: the select anew cost more than running it, on every request)
_SIGNED_IN = (
    select(Person, LoginSession.secret_hash, _UNREAD)
    .join(LoginSession, LoginSession.person_id == Person.id)
    .where(
        LoginSession.id == bindparam("sid"),
        LoginSession.ended_dt.is_(None),
        LoginSession.expires_dt > bindparam("now", type_=LoginSession.expires_dt.type),
    )
)


class SignedIn(NamedTuple):
    person: Person
    #: the person's unread notifications as the request began: the header's count
    unread: int


def signed_in(session: Session, reference: str, now: datetime) -> SignedIn | None:
    """The person of the live session a cookie's reference points to (what
    :func:`find_session` finds), read with the session and the header's count of unread
    notifications in one statement: every signed-in request asks this first."""
    parts = _parts(reference)
    if parts is None:
        return None
    found = session.execute(_SIGNED_IN, {"sid": parts[0], "now": now}).first()
    if found is None or not hmac.compare_digest(found[1], _hash(parts[1])):
        return None
    return SignedIn(found[0], found[2] or 0)


def end_session(session: Session, reference: str, now: datetime) -> None:
    """End one session (logout): its cookies stop working, wherever they were copied."""
    row = find_session(session, reference, now)
    if row is not None:
        row.ended_dt = now
        session.flush()
        log.info("login session %s ended", row.id)


def _holds(row: LoginSession, now: datetime) -> bool:
    return row.ended_dt is None and row.expires_dt > now


def end_own_session(
    session: Session, person_id: int, session_id: int, now: datetime
) -> LoginSession:
    """End one of a person's live sessions from the sessions page (a device they do not know,
    a shared computer): its cookies stop working wherever they were copied."""
    row = session.get(LoginSession, session_id) if 0 < session_id <= MAX_ID else None
    if row is None or row.person_id != person_id or not _holds(row, now):
        raise NotFound(msg("That login has already ended."))
    row.ended_dt = now
    session.flush()
    log.info("login session %s of person %s ended from the sessions page", row.id, person_id)
    return row


def end_all_sessions(session: Session, person_id: int, now: datetime) -> int:
    """End every live session of a person (a new password, "log out everywhere")."""
    result = session.execute(
        update(LoginSession)
        .where(LoginSession.person_id == person_id, LoginSession.ended_dt.is_(None))
        .values(ended_dt=now)
    )
    ended = cast(CursorResult, result).rowcount or 0
    log.info("person %s: %s login sessions ended", person_id, ended)
    return ended


def live_sessions(session: Session, person_id: int, now: datetime) -> list[LoginSession]:
    """A person's sessions that still hold, newest first."""
    return list(
        session.scalars(
            select(LoginSession)
            .where(
                LoginSession.person_id == person_id,
                LoginSession.ended_dt.is_(None),
                LoginSession.expires_dt > now,
            )
            .order_by(LoginSession.created_dt.desc(), LoginSession.id.desc())
        )
    )


#: an ended or expired login session is kept this long (the sessions page shows live ones only)
KEEP_ENDED = timedelta(days=1)


def stale_sessions(now: datetime):
    """Login sessions that ended or expired more than a day ago."""
    cutoff = now - KEEP_ENDED
    return select(LoginSession.id).where(
        or_(LoginSession.ended_dt < cutoff, LoginSession.expires_dt < cutoff)
    )


def forget_stale_sessions(session: Session, now: datetime) -> int:
    """Delete login sessions that ended or expired more than a day ago."""
    cutoff = now - KEEP_ENDED
    result = session.execute(
        delete(LoginSession).where(
            or_(LoginSession.ended_dt < cutoff, LoginSession.expires_dt < cutoff)
        )
    )
    return cast(CursorResult, result).rowcount or 0
