"""Meetings with the neighbourhood (a wijkavond, a drop-in) and residents who support the plan.

A :class:`Meeting` has a time, a place and a capacity; residents answer going, maybe or not
(:class:`MeetingAnswer`); the minutes are a document of the initiative. A :class:`Supporter`
puts their name under the initiative's plan (draagvlak), shown by name or as a resident of
their wijk.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

ANSWERS = ("going", "maybe", "not")


class Meeting(Base):
    """A meeting the group plans: a wijkavond, a Saturday drop-in."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("end_dt > start_dt", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        Index("ix_meetings_initiative_start", "initiative_id", "start_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    title: Mapped[str] = mapped_column(String(200))
    start_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    end_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the name of the place, e.g. "Buurthuis De Paddepoel"
    place: Mapped[str] = mapped_column(String(200))
    #: street, number and town
    address: Mapped[str] = mapped_column(String(300))
    #: how many people can come; null: no limit
    capacity: Mapped[int | None]
    #: step-free entrance, hearing loop, …
    accessibility: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: when the group called it off; a cancelled meeting never counts as held
    cancelled_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the minutes (verslag), a document of the initiative; removing it empties this
    minutes_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    #: optimistic-concurrency counter; every answer takes the meeting's row with it
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_dt is not None


class MeetingAnswer(Base):
    """One resident's answer to a meeting: going, maybe or not (changeable)."""

    __tablename__ = "meeting_answers"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id"),
        CheckConstraint("answer IN ('going', 'maybe', 'not')", name="answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    answer: Mapped[str] = mapped_column(String(10))
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime)


class PaperSignup(Base):
    """People the group signed up from a paper list (the drop-in's sign-up sheet): a name and
    how many come with it. They count as going, within the capacity; the group can remove
    them."""

    __tablename__ = "meeting_paper_signups"
    __table_args__ = (
        CheckConstraint("people > 0", name="people_positive"),
        Index("ix_meeting_paper_signups_meeting", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    #: the name as written on the list
    name: Mapped[str] = mapped_column(String(200))
    #: how many people come under this name (a family, a neighbour and her friend)
    people: Mapped[int] = mapped_column(default=1)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)


class Supporter(Base):
    """A resident who puts their name under the initiative's plan (one per person)."""

    __tablename__ = "supporters"
    __table_args__ = (UniqueConstraint("initiative_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    #: the wijk the resident lives in (from the city's list); null: not said
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhoods.id"))
    #: show the name; else "a resident of <wijk>"
    show_name: Mapped[bool] = mapped_column(default=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
