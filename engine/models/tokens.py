"""Personal access tokens: how a person's own scripts and tools use the JSON API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class ApiToken(Base):
    """One named token of one person; only the hash of its secret is kept (shown once)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    #: the person's own name for it ("dashboard wijkteam")
    name: Mapped[str] = mapped_column(String(100))
    #: ``read`` (look only) or ``write`` (also change, as the person could on the pages)
    scope: Mapped[str] = mapped_column(String(10))
    #: sha256 (hex) of the secret the client sends as ``Authorization: Bearer``
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the first characters of the secret, to tell tokens apart on the account page
    prefix: Mapped[str] = mapped_column(String(16))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: set when the person revokes it; a revoked token no longer opens anything
    revoked_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
