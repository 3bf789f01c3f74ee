"""Write in a discussion: post, reply, edit (for a short while), delete, hide, report.

Talking is not a change of the group's process: nothing here touches the initiative's version
or its last activity, so nobody's open page of the initiative goes stale because someone wrote.
Hiding a message is recorded in the initiative's history (who, which message, why).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.coach.common import record_staff_event
from engine.discussions.queries import Standing, page_of, participants_to_tell, standing
from engine.discussions.text import MAX_MESSAGE, MAX_REASON, clean_text
from engine.errors import InvalidInput, NotFound, PermissionDenied, Refused
from engine.i18n import msg
from engine.models import Decision, Initiative, Message, MessageReport, Person
from engine.models.discussions import CHANNELS
from engine.notifications import events
from engine.operations.common import check_row_version, get_initiative, record_detail
from engine.permissions import is_staff

log = logging.getLogger(__name__)

#: how long the author may still change what they wrote
EDIT_WINDOW = timedelta(minutes=15)

_CHANGED = msg(
    "Someone changed this message at the same moment. Nothing was saved; look at it as it is "
    "now and try again."
)


def _standing_of(session: Session, initiative: Initiative, actor: Person) -> Standing:
    return standing(session, initiative, actor)


def get_message(session: Session, message_id: int, initiative_id: int) -> Message:
    """The message, or NotFound (also when it belongs to another initiative than given)."""
    message = session.get(Message, message_id)
    if message is None or message.initiative_id != initiative_id:
        raise NotFound(msg("This message does not exist."))
    return message


def _readable(session: Session, message: Message, actor: Person) -> Standing:
    """The actor's standing; NotFound if the message is in a thread they may not read."""
    who = _standing_of(session, get_initiative(session, message.initiative_id), actor)
    if not who.reads(message.channel):
        raise NotFound(msg("This message does not exist."))
    return who


def _open_decision(session: Session, initiative_id: int, decision_id: int) -> Decision:
    decision = session.get(Decision, decision_id)
    if decision is None or decision.initiative_id != initiative_id:
        raise NotFound(msg("This decision does not exist."))
    if decision.status != "open":
        raise Refused(
            msg(
                "This decision is closed, so its discussion is too. Talk on in the "
                "initiative's discussion."
            )
        )
    return decision


def post_message(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    body: str | None,
    now: datetime,
    channel: str = "group",
    decision_id: int | None = None,
    parent_id: int | None = None,
) -> Message:
    """Write in a discussion: a new message, or a reply to one (``parent_id``).

    A paused group still talks: pausing stops its clocks, not its conversation.
    """
    if channel not in CHANNELS:
        raise InvalidInput(msg("Choose a discussion to write in."))
    initiative = get_initiative(session, initiative_id)
    who = _standing_of(session, initiative, actor)
    if not who.reads(channel):
        raise NotFound(msg("This discussion does not exist."))
    if not who.writes(channel):
        raise PermissionDenied(
            msg("Only the members of the initiative and its process coaches can write here.")
            if channel == "group"
            else msg("Only the initiators and the process coaches of the area can write here.")
        )
    text = clean_text(body, field="body", maximum=MAX_MESSAGE)
    if parent_id is not None:
        parent = get_message(session, parent_id, initiative_id)
        if parent.channel != channel or parent.decision_id != decision_id:
            raise NotFound(msg("This message does not exist."))
        if parent.parent_id is not None:  # a reply to a reply joins the same conversation
            parent_id = parent.parent_id
    if decision_id is not None:
        if channel != "group":
            raise InvalidInput(msg("Choose a discussion to write in."))
        _open_decision(session, initiative_id, decision_id)
    message = Message(
        initiative_id=initiative_id,
        decision_id=decision_id,
        channel=channel,
        parent_id=parent_id,
        author_id=actor.id,
        is_from_coach=is_staff(actor),
        body=text,
        created_dt=now,
    )
    session.add(message)
    session.flush()
    log.info(
        "initiative %s: message %s (%s, decision %s, reply to %s) by %s",
        initiative_id, message.id, channel, decision_id, parent_id, actor.id,
    )  # fmt: skip
    whom = participants_to_tell(session, message)
    events.message_posted(session, message, actor, whom, page_of(session, message), now)
    return message


def _own(message: Message, actor: Person) -> None:
    if message.author_id != actor.id:
        raise PermissionDenied(msg("Only its author can change or delete a message."))
    if message.deleted_dt is not None:
        raise Refused(msg("This message was deleted."))


def edit_message(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    message_id: int,
    body: str | None,
    now: datetime,
    expected_version: int | None = None,
) -> Message:
    """Change one's own message, within 15 minutes of writing it; the edit shows, with its time."""
    message = get_message(session, message_id, initiative_id)
    who = _readable(session, message, actor)
    _own(message, actor)
    if message.hidden_dt is not None:
        raise Refused(msg("This message was hidden; it cannot be changed any more."))
    if not who.writes(message.channel):
        raise PermissionDenied(
            msg("Only the members of the initiative and its process coaches can write here.")
        )
    if now - message.created_dt > EDIT_WINDOW:
        raise Refused(
            msg(
                "A message can be changed for 15 minutes after writing it. Delete it, or "
                "write a new one."
            )
        )
    check_row_version(message, expected_version, _CHANGED)
    text = clean_text(body, field="body", maximum=MAX_MESSAGE)
    if text != message.body:
        message.body, message.edited_dt = text, now
        session.flush()
    log.info("initiative %s: message %s edited by %s", initiative_id, message.id, actor.id)
    return message


def delete_message(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    message_id: int,
    now: datetime,
    expected_version: int | None = None,
) -> Message:
    """Delete one's own message: its words go, "deleted" stays, so replies keep their place."""
    message = get_message(session, message_id, initiative_id)
    _readable(session, message, actor)
    _own(message, actor)
    check_row_version(message, expected_version, _CHANGED)
    message.body, message.deleted_dt = "", now
    _close_reports(session, message, actor, now)
    session.flush()
    log.info("initiative %s: message %s deleted by its author", initiative_id, message.id)
    return message


def hide_message(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    message_id: int,
    reason: str | None,
    now: datetime,
    expected_version: int | None = None,
) -> Message:
    """An initiator or coach hides a message, with a reason; the history records it."""
    message = get_message(session, message_id, initiative_id)
    who = _readable(session, message, actor)
    if not who.moderates:
        raise PermissionDenied(
            msg("Only the initiators and the process coaches of the area can hide a message.")
        )
    if message.is_gone:
        raise Refused(msg("This message is already gone."))
    check_row_version(message, expected_version, _CHANGED)
    why = clean_text(reason, field="reason", maximum=MAX_REASON)
    message.hidden_dt, message.hidden_by_id, message.hidden_reason = now, actor.id, why
    _close_reports(session, message, actor, now)
    session.flush()
    record_moderation(
        session, who, actor, now, "message.hidden",
        message=message.id, person=message.author_id, reason=why,
    )  # fmt: skip
    return message


def record_moderation(
    session: Session, who: Standing, actor: Person, now: datetime, kind: str, **data: Any
) -> None:
    """Put a moderator's act (hiding something, with its reason) in the initiative's history:
    as the group's activity for an initiator, as history only for a coach."""
    if who.role is None:  # a coach's action is history, not the group's activity
        record_staff_event(session, who.initiative.id, actor, now, kind, **data)
    else:
        record_detail(session, who.initiative, actor, now, kind, **data)


def _close_reports(session: Session, message: Message, actor: Person, now: datetime) -> None:
    session.execute(
        update(MessageReport)
        .where(MessageReport.message_id == message.id, MessageReport.closed_dt.is_(None))
        .values(closed_dt=now, closed_by_id=actor.id)
    )


def report_message(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    message_id: int,
    reason: str | None,
    now: datetime,
) -> MessageReport:
    """Tell the initiators and coaches a message should not be there (once per person)."""
    message = get_message(session, message_id, initiative_id)
    _readable(session, message, actor)
    if message.author_id == actor.id:
        raise Refused(msg("You wrote this message yourself: delete it instead."))
    if message.is_gone:
        raise Refused(msg("This message is already gone."))
    why = clean_text(reason, field="reason", maximum=MAX_REASON, required=False)
    if session.scalar(
        select(MessageReport.id).where(
            MessageReport.message_id == message.id, MessageReport.reporter_id == actor.id
        )
    ):
        raise Refused(msg("You have already reported this message."))
    report = MessageReport(
        message_id=message.id,
        initiative_id=initiative_id,
        reporter_id=actor.id,
        reason=why,
        created_dt=now,
    )
    session.add(report)
    session.flush()
    log.info("initiative %s: message %s reported by %s", initiative_id, message.id, actor.id)
    return report


def dismiss_report(
    session: Session, actor: Person, *, initiative_id: int, report_id: int, now: datetime
) -> MessageReport:
    """An initiator or coach looked at a report and leaves the message as it is."""
    report = session.get(MessageReport, report_id)
    if report is None or report.initiative_id != initiative_id:
        raise NotFound(msg("This report does not exist."))
    who = _standing_of(session, get_initiative(session, initiative_id), actor)
    if not who.moderates or not who.reads(report.message.channel):
        raise PermissionDenied(
            msg("Only the initiators and the process coaches of the area deal with reports.")
        )
    if report.closed_dt is None:
        report.closed_dt, report.closed_by_id = now, actor.id
        session.flush()
    return report
