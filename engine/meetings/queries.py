"""What the meeting pages show: the meetings of an initiative with their counts, the answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.models import Document, Person
from engine.models.meetings import Meeting, MeetingAnswer, PaperSignup


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    #: who said "going" online
    going: int
    maybe: int
    #: the minutes' file name, when attached
    minutes_name: str | None = None
    #: how many the group signed up from a paper list
    paper: int = 0

    @property
    def taken(self) -> int:
        """Who counts against the capacity: going online and on paper."""
        return self.going + self.paper

    def is_past(self, now: datetime) -> bool:
        return self.meeting.end_dt <= now

    @property
    def is_full(self) -> bool:
        capacity = self.meeting.capacity
        return capacity is not None and self.taken >= capacity

    @property
    def places_left(self) -> int | None:
        capacity = self.meeting.capacity
        return None if capacity is None else max(capacity - self.taken, 0)


_GOING = func.count(case((MeetingAnswer.answer == "going", 1)))
_MAYBE = func.count(case((MeetingAnswer.answer == "maybe", 1)))
#: the people on the paper list of the meeting in the row (a subquery: the join above counts
#: answers, this sums the list)
_PAPER = (
    select(func.coalesce(func.sum(PaperSignup.people), 0))
    .where(PaperSignup.meeting_id == Meeting.id)
    .correlate(Meeting)
    .scalar_subquery()
)


def meetings_of(session: Session, initiative_id: int, meeting_id: int | None = None):
    """Every meeting of the initiative (soonest first) with its counts, in one statement."""
    query = (
        select(Meeting, _GOING, _MAYBE, Document.filename, _PAPER)
        .outerjoin(MeetingAnswer, MeetingAnswer.meeting_id == Meeting.id)
        .outerjoin(Document, Document.id == Meeting.minutes_document_id)
        .where(Meeting.initiative_id == initiative_id)
        .group_by(Meeting.id, Document.filename)
        .order_by(Meeting.start_dt, Meeting.id)
    )
    if meeting_id is not None:
        query = query.where(Meeting.id == meeting_id)
    return [
        MeetingView(m, going, maybe, name, int(paper or 0))
        for m, going, maybe, name, paper in session.execute(query)
    ]


@dataclass(frozen=True)
class Answer:
    name: str
    answer: str


def answers_of(session: Session, meeting_id: int) -> list[Answer]:
    """Who answered what (for the group), going first, then by name."""
    order = case(
        (MeetingAnswer.answer == "going", 0), (MeetingAnswer.answer == "maybe", 1), else_=2
    )
    rows = session.execute(
        select(Person.name, MeetingAnswer.answer)
        .join(Person, Person.id == MeetingAnswer.person_id)
        .where(MeetingAnswer.meeting_id == meeting_id)
        .order_by(order, Person.name)
    )
    return [Answer(name, answer) for name, answer in rows]


def my_answer(session: Session, meeting_id: int, person_id: int | None) -> str | None:
    if person_id is None:
        return None
    return session.scalar(
        select(MeetingAnswer.answer).where(
            MeetingAnswer.meeting_id == meeting_id, MeetingAnswer.person_id == person_id
        )
    )


def documents_of(session: Session, initiative_id: int) -> list[tuple[int, str]]:
    """The initiative's documents, newest first: what can become a meeting's minutes."""
    rows = session.execute(
        select(Document.id, Document.filename)
        .where(Document.initiative_id == initiative_id)
        .order_by(Document.created_dt.desc(), Document.id.desc())
    )
    return [(did, name) for did, name in rows]
