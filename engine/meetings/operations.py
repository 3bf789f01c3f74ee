"""The group plans a meeting, changes or cancels it, sends those going a message, and attaches
its minutes; residents answer going, maybe or not.

A meeting's row is the turnstile of its answers: every answer updates the row first (its
version), so two answers at once take turns and "going" never passes the capacity.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Refused
from engine.i18n import Msg, msg, nmsg
from engine.meetings.times import meeting_times
from engine.models import Document, Person
from engine.models.meetings import ANSWERS, Meeting, MeetingAnswer, PaperSignup
from engine.notifications.fanout import notify
from engine.operations.common import (
    check_row_version,
    lock_initiative,
    record_detail,
    require_change,
    require_not_paused,
)
from engine.reminders.planner import plan_for

log = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_PLACE = 200
MAX_ADDRESS = 300
MAX_TEXT = 2000
MAX_CAPACITY = 10_000


@dataclass(frozen=True)
class MeetingInput:
    """What the group fills in for a meeting (times as typed: "19:30")."""

    title: str
    day: date | None
    starts: str
    ends: str
    place: str
    address: str
    capacity: int | None = None
    accessibility: str = ""
    #: the day it ends, when that is not the day it starts; left empty, an end time at or
    #: before the start time means the next day (20:00 to 00:30)
    end_day: date | None = None


def _text(value: str, limit: int, field: str, empty: Msg | None) -> str:
    cleaned = " ".join((value or "").split()) if limit <= MAX_ADDRESS else (value or "").strip()
    if empty is not None and not cleaned:
        raise InvalidInput(empty, field=field)
    if len(cleaned) > limit:
        raise InvalidInput(msg("Use at most %(max)d characters.", max=limit), field=field)
    return cleaned


def _checked(session: Session, data: MeetingInput) -> dict:
    start, end = meeting_times(data.day, data.starts, data.ends, data.end_day,
                               config_of(session).timezone)  # fmt: skip
    if data.capacity is not None and not 1 <= data.capacity <= MAX_CAPACITY:
        raise InvalidInput(
            msg("Enter how many people can come: a number from 1 to %(max)d, or leave it empty.",
                max=MAX_CAPACITY),
            field="capacity",
        )  # fmt: skip
    return {
        "title": _text(data.title, MAX_TITLE, "title", msg("Give the meeting a title.")),
        "place": _text(data.place, MAX_PLACE, "place", msg("Say where the meeting is.")),
        "address": _text(
            data.address, MAX_ADDRESS, "address", msg("Give the address of the place.")
        ),
        "accessibility": _text(data.accessibility, MAX_TEXT, "accessibility", None),
        "capacity": data.capacity,
        "start_dt": start,
        "end_dt": end,
    }


def get_meeting(session: Session, initiative_id: int, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.initiative_id != initiative_id:
        raise NotFound(msg("This meeting does not exist."))
    return meeting


def _replan(session: Session, initiative_id: int, now: datetime) -> None:
    plan_for(session, initiative_id, now, sources=("meetings",))


def plan_meeting(
    session: Session, actor: Person, initiative_id: int, data: MeetingInput, now: datetime
) -> Meeting:
    """Plan a meeting in the future; it shows in the calendars and gets its reminders."""
    initiative = lock_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    values = _checked(session, data)
    if values["start_dt"] <= now:
        raise InvalidInput(msg("Choose a moment in the future for the meeting."), field="day")
    meeting = Meeting(initiative_id=initiative.id, created_by_id=actor.id, created_dt=now, **values)
    session.add(meeting)
    session.flush()
    record_detail(session, initiative, actor, now, "meeting.planned", meeting=meeting.id,
                  title=meeting.title, start_dt=meeting.start_dt.isoformat())  # fmt: skip
    _replan(session, initiative.id, now)
    return meeting


def _open_meeting(session: Session, initiative_id: int, meeting_id: int, actor: Person,
                  now: datetime, expected_version: int | None) -> tuple:  # fmt: skip
    initiative = lock_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    meeting = get_meeting(session, initiative.id, meeting_id)
    check_row_version(
        meeting, expected_version,
        msg("Someone else changed this meeting in the meantime. Nothing was changed; look at "
            "it as it is now and try again."),
    )  # fmt: skip
    return initiative, meeting


def update_meeting(
    session: Session, actor: Person, initiative_id: int, meeting_id: int, data: MeetingInput,
    now: datetime, *, expected_version: int | None = None,
) -> Meeting:  # fmt: skip
    """Change a meeting that is still to come; its reminders and calendar entry follow."""
    initiative, meeting = _open_meeting(
        session, initiative_id, meeting_id, actor, now, expected_version
    )
    if meeting.is_cancelled:
        raise Refused(msg("This meeting is cancelled: plan a new one instead."))
    values = _checked(session, data)
    if values["start_dt"] <= now and values["start_dt"] != meeting.start_dt:
        raise InvalidInput(msg("Choose a moment in the future for the meeting."), field="day")
    going = places_taken(session, meeting.id)
    if values["capacity"] is not None and values["capacity"] < going:
        raise InvalidInput(
            nmsg("%(num)d person already said they are going: the capacity cannot be lower.",
                 "%(num)d people already said they are going: the capacity cannot be lower.",
                 going),
            field="capacity",
        )  # fmt: skip
    before = {name: getattr(meeting, name) for name in NOTICED}
    for name, value in values.items():
        setattr(meeting, name, value)
    session.flush()
    record_detail(session, initiative, actor, now, "meeting.changed", meeting=meeting.id,
                  title=meeting.title, start_dt=meeting.start_dt.isoformat())  # fmt: skip
    _replan(session, initiative.id, now)
    if any(values[name] != old for name, old in before.items()) and meeting.end_dt > now:
        notify(
            session, kind="meeting_changed", initiative_id=initiative.id, actor_id=actor.id,
            recipients=_coming_ids(session, meeting.id), link=meeting_link(meeting), now=now,
            data={"initiative": initiative.title, "actor": actor.name, "title": meeting.title,
                  "start_dt": meeting.start_dt.isoformat(), "end_dt": meeting.end_dt.isoformat(),
                  "place": meeting.place, "address": meeting.address},
            subject_id=meeting.id,
        )  # fmt: skip
    return meeting


#: what those coming are told about when the group changes it: the time and the place
NOTICED = ("start_dt", "end_dt", "place", "address")


def _going_ids(session: Session, meeting_id: int):
    return select(MeetingAnswer.person_id).where(
        MeetingAnswer.meeting_id == meeting_id, MeetingAnswer.answer == "going"
    )


def _coming_ids(session: Session, meeting_id: int):
    """Who said going or maybe: they hear when the meeting moves or is called off."""
    return select(MeetingAnswer.person_id).where(
        MeetingAnswer.meeting_id == meeting_id, MeetingAnswer.answer.in_(("going", "maybe"))
    )


def cancel_meeting(
    session: Session, actor: Person, initiative_id: int, meeting_id: int, now: datetime, *,
    reason: str = "", expected_version: int | None = None,
) -> Meeting:  # fmt: skip
    """Call a meeting off: its reminders are cancelled, calendars show it as cancelled and
    those going or maybe are told."""
    initiative, meeting = _open_meeting(
        session, initiative_id, meeting_id, actor, now, expected_version
    )
    if meeting.is_cancelled:
        raise Conflict(msg("This meeting was already cancelled."))
    if meeting.end_dt <= now:
        raise Refused(msg("This meeting has already taken place."))
    meeting.cancelled_dt = now
    session.flush()
    reason = _text(reason, MAX_TEXT, "reason", None)
    record_detail(session, initiative, actor, now, "meeting.cancelled", note=reason or None,
                  meeting=meeting.id, title=meeting.title)  # fmt: skip
    _replan(session, initiative.id, now)
    notify(
        session, kind="meeting_cancelled", initiative_id=initiative.id, actor_id=actor.id,
        recipients=_coming_ids(session, meeting.id), link=meeting_link(meeting), now=now,
        data={"initiative": initiative.title, "actor": actor.name, "title": meeting.title,
              "start_dt": meeting.start_dt.isoformat()},
        subject_id=meeting.id,
    )  # fmt: skip
    return meeting


def meeting_link(meeting: Meeting) -> str:
    return f"/initiatives/{meeting.initiative_id}/meetings/{meeting.id}"


def _count_going(session: Session, meeting_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                MeetingAnswer.meeting_id == meeting_id, MeetingAnswer.answer == "going"
            )
        )
        or 0
    )


def places_taken(session: Session, meeting_id: int) -> int:
    """Who counts against the capacity: everyone going, and everyone on the paper list."""
    paper = session.scalar(
        select(func.coalesce(func.sum(PaperSignup.people), 0)).where(
            PaperSignup.meeting_id == meeting_id
        )
    )
    return _count_going(session, meeting_id) + int(paper or 0)


def take_meeting(session: Session, meeting_id: int) -> None:
    """Hold the meeting's row until the commit: answers to it take turns from here."""
    session.flush()
    done = session.execute(
        update(Meeting).where(Meeting.id == meeting_id).values(version=Meeting.version + 1)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(msg("This meeting does not exist."))


def answer_meeting(
    session: Session, actor: Person, initiative_id: int, meeting_id: int, answer: str,
    now: datetime,
) -> MeetingAnswer:  # fmt: skip
    """Say going, maybe or not (again: the new answer replaces the old one). "Going" is
    refused when the meeting is full."""
    if answer not in ANSWERS:
        raise InvalidInput(msg("Choose going, maybe or not going."), field="answer")
    if actor.email_confirmed_dt is None:
        raise PermissionDenied(
            msg("Confirm your e-mail address first (the link in the mail we sent you).")
        )
    take_meeting(session, meeting_id)
    meeting = session.get(Meeting, meeting_id, populate_existing=True)
    if meeting is None or meeting.initiative_id != initiative_id:
        raise NotFound(msg("This meeting does not exist."))
    if meeting.is_cancelled:
        raise Refused(msg("This meeting is cancelled."))
    if meeting.end_dt <= now:
        raise Refused(msg("This meeting has already taken place."))
    mine = session.scalar(
        select(MeetingAnswer).where(
            MeetingAnswer.meeting_id == meeting.id, MeetingAnswer.person_id == actor.id
        )
    )
    if answer == "going" and (mine is None or mine.answer != "going"):
        if meeting.capacity is not None and places_taken(session, meeting.id) >= meeting.capacity:
            raise Refused(
                nmsg("The meeting is full: %(num)d person is going. You can answer maybe.",
                     "The meeting is full: %(num)d people are going. You can answer maybe.",
                     meeting.capacity)
            )  # fmt: skip
    if mine is None:
        mine = MeetingAnswer(meeting_id=meeting.id, person_id=actor.id, answer=answer,
                             updated_dt=now)  # fmt: skip
        session.add(mine)
    else:
        mine.answer, mine.updated_dt = answer, now
    session.flush()
    log.info("person %s answers %s to meeting %s", actor.id, answer, meeting.id)
    _replan(session, meeting.initiative_id, now)
    return mine


def message_going(
    session: Session, actor: Person, initiative_id: int, meeting_id: int, text: str,
    now: datetime,
) -> int:  # fmt: skip
    """Send a message to everyone going (in their own language, by their preferences);
    returns how many are going."""
    initiative = lock_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    require_not_paused(initiative)
    meeting = get_meeting(session, initiative.id, meeting_id)
    body = _text(text, MAX_TEXT, "text", msg("Write the message."))
    if meeting.is_cancelled:
        raise Refused(msg("This meeting is cancelled."))
    going = _count_going(session, meeting.id)
    if going == 0:
        raise Refused(msg("Nobody has said they are going yet: there is no one to send it to."))
    record_detail(session, initiative, actor, now, "meeting.message", meeting=meeting.id,
                  title=meeting.title, people=going)  # fmt: skip
    notify(
        session, kind="meeting_message", initiative_id=initiative.id, actor_id=actor.id,
        recipients=_going_ids(session, meeting.id), link=meeting_link(meeting), now=now,
        data={"initiative": initiative.title, "actor": actor.name, "title": meeting.title,
              "text": body},
        subject_id=meeting.id,
    )  # fmt: skip
    return going


def attach_minutes(
    session: Session, actor: Person, initiative_id: int, meeting_id: int, document_id: int,
    now: datetime,
) -> Meeting:  # fmt: skip
    """Make a document of the initiative the minutes (verslag) of a meeting that took place."""
    initiative = lock_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    meeting = get_meeting(session, initiative.id, meeting_id)
    if meeting.is_cancelled:
        raise Refused(msg("This meeting is cancelled: it has no minutes."))
    if meeting.end_dt > now:
        raise Refused(msg("Minutes can be added once the meeting has taken place."))
    document = session.get(Document, document_id)
    if document is None or document.initiative_id != initiative.id:
        raise NotFound(msg("This document does not exist."))
    meeting.minutes_document_id = document.id
    session.flush()
    record_detail(session, initiative, actor, now, "meeting.minutes", meeting=meeting.id,
                  title=meeting.title, document=document.id)  # fmt: skip
    return meeting


#: how far back the page lists meetings that took place
PAST_DAYS = timedelta(days=365)
