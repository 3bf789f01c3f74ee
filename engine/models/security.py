"""Sign-in state kept on the server: login sessions and rate-limit counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class LoginSession(Base):
    """One sign-in on one device; the cookies carry only its id and a secret whose hash is here.

    Ending the row (logout, a new password, "log out everywhere") ends every copy of the cookies.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    #: sha256 of the per-login secret kept in the cookies
    secret_hash: Mapped[str] = mapped_column(String(64))
    #: whether the person asked to stay logged in (a remember cookie)
    is_remembered: Mapped[bool] = mapped_column(default=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: after this moment the session no longer counts, whatever the cookie says
    expires_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: set at logout, a password change or "log out everywhere"
    ended_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the browser's own description, to tell the sessions apart
    user_agent: Mapped[str | None] = mapped_column(String(200))


class RateLimit(Base):
    """How often one key (an action and an account or client address) was used in its window."""

    __tablename__ = "rate_limits"

    #: e.g. ``login:account:ans@example.org`` or ``mail:address:192.0.2.1``
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    #: start of the current fixed window, in seconds since the epoch
    window_start: Mapped[int] = mapped_column(BigInteger)
    hits: Mapped[int] = mapped_column(default=0)
