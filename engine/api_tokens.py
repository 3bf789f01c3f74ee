"""Personal access tokens: made, listed and revoked by their owner, checked on every API call.

A token's secret is ``vb_`` and 43 random URL-safe characters; only its sha256 is stored, so
the secret is shown once, when it is made. A token acts as its person, with the same
permissions as on the pages; a ``read`` token may only look.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput, NotFound, Refused
from engine.i18n import msg
from engine.models import ApiToken, Person

log = logging.getLogger(__name__)

SCOPES = ("read", "write")
PREFIX = "vb_"
MAX_NAME = 100
#: live tokens one person may hold at once
MAX_TOKENS = 20
#: a token's last use is written at most this often (seconds), not on every request
TOUCH_SECONDS = 60


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def live_tokens(session: Session, person: Person) -> list[ApiToken]:
    """The person's tokens that still work, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.person_id == person.id, ApiToken.revoked_dt.is_(None))
            .order_by(ApiToken.created_dt.desc(), ApiToken.id.desc())
        )
    )


def create_token(
    session: Session, actor: Person, *, name: str, scope: str, now: datetime
) -> tuple[ApiToken, str]:
    """A new token for the actor and its secret (the only time the secret is known)."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(msg("Give the token a name."), field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(msg("Use at most %(most)s characters.", most=MAX_NAME), field="name")
    if scope not in SCOPES:
        raise InvalidInput(msg("Choose what the token may do."), field="scope")
    held = session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.person_id == actor.id, ApiToken.revoked_dt.is_(None))
    )
    if (held or 0) >= MAX_TOKENS:
        raise Refused(msg("You have %(most)s tokens already. Revoke one first.", most=MAX_TOKENS))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        person_id=actor.id,
        name=name,
        scope=scope,
        secret_hash=hash_secret(secret),
        prefix=secret[:10],
        created_dt=now,
    )
    session.add(token)
    session.flush()
    log.info("person %s: api token %s made (%s)", actor.id, token.id, scope)
    return token, secret


def revoke_token(session: Session, actor: Person, token_id: int, now: datetime) -> ApiToken:
    """End one of the actor's own tokens; another person's token is not there for them."""
    token = session.get(ApiToken, token_id)
    if token is None or token.person_id != actor.id or token.revoked_dt is not None:
        raise NotFound(msg("This token does not exist or was revoked already."))
    token.revoked_dt = now
    session.flush()
    log.info("person %s: api token %s revoked", actor.id, token.id)
    return token


def authenticate(session: Session, secret: str, now: datetime) -> tuple[Person, ApiToken] | None:
    """The active person and live token a secret belongs to, or None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.secret_hash == hash_secret(secret)))
    if token is None or token.revoked_dt is not None:
        return None
    person = session.get(Person, token.person_id)
    if person is None or not person.is_active:
        return None
    last = token.last_used_dt
    if last is None or (now - last).total_seconds() >= TOUCH_SECONDS:
        token.last_used_dt = now
    return person, token
