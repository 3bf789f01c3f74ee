"""People and places: residents and staff, stadsdelen and wijken."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime

STAFF_ROLES = ("resident", "coach", "admin")


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (CheckConstraint("role IN ('resident', 'coach', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: lower-cased e-mail address, the login name
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: name as the person wants to be shown
    name: Mapped[str] = mapped_column(String(200))
    #: werkzeug-style password hash; null for people invited but not yet registered
    password_hash: Mapped[str | None] = mapped_column(String(300))
    #: preferred language of pages and mail
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    #: resident, coach or admin (staff roles are city-wide, not per initiative)
    role: Mapped[str] = mapped_column(String(20), default="resident")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: when the person showed the address is theirs (the link in the mail); until then they
    #: may read but not join, invite or post
    email_confirmed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: sha256 of the token in the newest confirmation mail; null once confirmed
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64))
    #: a new address the person asked for, waiting for the link mailed to it
    pending_email: Mapped[str | None] = mapped_column(String(254))
    #: sha256 of the token in the link mailed to ``pending_email``
    pending_email_token_hash: Mapped[str | None] = mapped_column(String(64))
    #: when the person deleted their account: the row stays (history points at it) but holds
    #: nothing personal any more, and is shown as "voormalig lid"
    deleted_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.email}>"


class District(Base):
    """A stadsdeel, e.g. West or Zuid."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: CBS gemeente/wijk code where known
    cbs_code: Mapped[str | None] = mapped_column(String(20))

    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(
        back_populates="district", order_by="Neighbourhood.name"
    )


class Neighbourhood(Base):
    """A wijk inside a stadsdeel, e.g. Paddepoel in West."""

    __tablename__ = "neighbourhoods"
    __table_args__ = (UniqueConstraint("district_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: CBS wijk code (e.g. WK001401) when known; area names change, so it may be null
    cbs_code: Mapped[str | None] = mapped_column(String(20))
    #: the year the CBS code refers to
    cbs_year: Mapped[int | None]

    district: Mapped[District] = relationship(back_populates="neighbourhoods")
