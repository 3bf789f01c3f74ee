"""The group signs people up for a meeting from a paper list (the sign-up sheet at the
drop-in): a name and how many come with it. They count as going, within the capacity, and are
shown apart from the answers given online; the group can take a line off again.

Adding takes the meeting's row first, like an answer (``operations.take_meeting``), so a paper
line and an online "going" at the same moment take turns and never pass the capacity together.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput, NotFound, Refused
from engine.i18n import msg, nmsg
from engine.meetings.operations import get_meeting, places_taken, take_meeting
from engine.models import Person
from engine.models.meetings import Meeting, PaperSignup
from engine.operations.common import lock_initiative, record_detail, require_change

log = logging.getLogger(__name__)

MAX_NAME = 200
#: the most people one line of the paper list brings (a family, a neighbour with friends)
MAX_PEOPLE = 20


@dataclass(frozen=True)
class PaperLine:
    id: int
    name: str
    people: int
    entered_by: str


def add_paper_signup(
    session: Session, actor: Person, initiative_id: int, meeting_id: int, name: str,
    people: int | None, now: datetime,
) -> PaperSignup:  # fmt: skip
    """Write a line of the paper list into the meeting: ``people`` come under ``name``."""
    initiative = lock_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise InvalidInput(msg("Write the name as it is on the list."), field="name")
    if len(cleaned) > MAX_NAME:
        raise InvalidInput(msg("Use at most %(max)d characters.", max=MAX_NAME), field="name")
    count = 1 if people is None else people
    if not 1 <= count <= MAX_PEOPLE:
        raise InvalidInput(
            msg("Enter how many people come: a number from 1 to %(max)d.", max=MAX_PEOPLE),
            field="people",
        )
    get_meeting(session, initiative.id, meeting_id)
    take_meeting(session, meeting_id)
    meeting = session.get(Meeting, meeting_id, populate_existing=True)
    assert meeting is not None  # found above, and the initiative's lock holds it
    if meeting.is_cancelled:
        raise Refused(msg("This meeting is cancelled."))
    if meeting.capacity is not None:
        left = meeting.capacity - places_taken(session, meeting.id)
        if count > left:
            raise Refused(
                nmsg("There is room for %(num)d more person: the list does not fit.",
                     "There is room for %(num)d more people: the list does not fit.",
                     max(left, 0)),
                field="people",
            )  # fmt: skip
    line = PaperSignup(meeting_id=meeting.id, name=cleaned, people=count, entered_by_id=actor.id,
                       created_dt=now)  # fmt: skip
    session.add(line)
    session.flush()
    record_detail(session, initiative, actor, now, "meeting.paper_added", meeting=meeting.id,
                  title=meeting.title, people=count)  # fmt: skip
    log.info("meeting %s: %s people signed up on paper by person %s", meeting.id, count, actor.id)
    return line


def remove_paper_signup(
    session: Session, actor: Person, initiative_id: int, meeting_id: int, line_id: int,
    now: datetime,
) -> None:  # fmt: skip
    """Take a line off the paper list (a mistake, or they cannot come after all)."""
    initiative = lock_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    meeting = get_meeting(session, initiative.id, meeting_id)
    line = session.get(PaperSignup, line_id)
    if line is None or line.meeting_id != meeting.id:
        raise NotFound(msg("This line of the paper list does not exist any more."))
    people = line.people
    session.delete(line)
    session.flush()
    record_detail(session, initiative, actor, now, "meeting.paper_removed", meeting=meeting.id,
                  title=meeting.title, people=people)  # fmt: skip


def paper_signups_of(session: Session, meeting_id: int) -> list[PaperLine]:
    """The paper list as the group entered it, in that order."""
    rows = session.execute(
        select(PaperSignup.id, PaperSignup.name, PaperSignup.people, Person.name)
        .join(Person, Person.id == PaperSignup.entered_by_id)
        .where(PaperSignup.meeting_id == meeting_id)
        .order_by(PaperSignup.id)
    )
    return [PaperLine(i, name, people, by) for i, name, people, by in rows]
