"""Meetings as deadlines: a calendar entry with its times and place for each meeting, and a
reminder the day before for everyone going.

A cancelled meeting is no deadline any more: the planner cancels its pending reminders and
the calendars show it as cancelled. A paused group's meetings get no reminders (the planner
and the dispatcher leave out every paused initiative, see docs/meetings.md); they stay in the
calendars, since a pause does not call a meeting off.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.i18n import msg
from engine.models.meetings import Meeting, MeetingAnswer
from engine.reminders.deadlines import Deadline, titles_of
from engine.timeutil import local, local_date

#: the reminder goes out the day before the meeting (at the configured reminder hour)
REMIND_DAYS = (1,)


def meeting_titles(meeting: Meeting, tz: str) -> dict[str, str]:
    """ "Wijkavond, 19:30, Buurthuis": what a reminder and a calendar entry call a meeting."""
    return titles_of(
        msg("%(title)s, %(time)s, %(place)s", title=meeting.title,
            time=local(meeting.start_dt, tz).strftime("%H:%M"), place=meeting.place)
    )  # fmt: skip


def meetings_source(session: Session, initiative_ids, now: datetime) -> Iterable[Deadline]:
    """Every meeting not cancelled, for those who said they are going."""
    query = select(Meeting).where(Meeting.cancelled_dt.is_(None))
    if initiative_ids is not None:
        query = query.where(Meeting.initiative_id.in_(list(initiative_ids)))
    meetings = list(session.scalars(query.order_by(Meeting.id)))
    if not meetings:
        return
    going: dict[int, list[int]] = defaultdict(list)
    rows = session.execute(
        select(MeetingAnswer.meeting_id, MeetingAnswer.person_id)
        .where(
            MeetingAnswer.meeting_id.in_([m.id for m in meetings]),
            MeetingAnswer.answer == "going",
        )
        .order_by(MeetingAnswer.id)
    )
    for meeting_id, person_id in rows:
        going[meeting_id].append(person_id)
    tz = config_of(session).timezone
    for meeting in meetings:
        yield Deadline(
            key=f"meeting:{meeting.id}",
            initiative_id=meeting.initiative_id,
            person_ids=tuple(going.get(meeting.id, ())),
            kind="meeting",
            date=local_date(meeting.start_dt, tz),
            title=meeting_titles(meeting, tz),
            link=f"/initiatives/{meeting.initiative_id}/meetings/{meeting.id}",
            days=REMIND_DAYS,
            start_dt=meeting.start_dt,
            end_dt=meeting.end_dt,
            location=f"{meeting.place}, {meeting.address}",
        )
