"""What guards read about support requests and the residents' association.

Support requests and associations get their full life in their own modules; the columns here
are what the process needs to know already.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

OPEN_REQUEST_STATUSES = ("submitted", "acknowledged", "accepted")


class SupportRequest(Base):
    """Residents ask the municipality for advice, a permit, funding, works or materials."""

    __tablename__ = "support_requests"
    __table_args__ = (
        CheckConstraint(
            "status IN ('submitted', 'acknowledged', 'accepted', 'declined', 'delivered', "
            "'withdrawn')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    #: advice, permit, funding, works, materials, right_to_challenge
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    stage_key: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)


class Association(Base):
    """The residents' association (bewonersvereniging) that takes over maintenance."""

    __tablename__ = "associations"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Chamber of Commerce number, 8 digits, when registered there
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    contact_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    registered_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
