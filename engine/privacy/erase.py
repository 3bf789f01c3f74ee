"""Deleting an account: the person's data goes, the groups' history stays readable.

The ``people`` row stays, because history, votes, messages and steps point at it, but it keeps
nothing personal: its name becomes :data:`~engine.i18n.FORMER_MEMBER` (shown as "voormalig
lid" / "former member"), its address an unusable placeholder. What only concerned the person
goes: sessions, reset links, reminders, preferences, calendar addresses, notifications, mail in
the outbox, rate-limit counters, pending requests and invitations. An initiative whose last
initiator leaves this way asks its members who takes over (engine.privacy.takeover).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from markupsafe import escape
from sqlalchemy import String, Table, cast, delete, or_, select, update
from sqlalchemy.orm import Session

from engine.accounts import check_password
from engine.db import Base
from engine.errors import Refused
from engine.i18n import FORMER_MEMBER, msg
from engine.models import (
    AssociationMember,
    CoachAssignment,
    Event,
    Invitation,
    JoinRequest,
    LoginSession,
    Membership,
    Occurrence,
    OutboxBody,
    OutboxMessage,
    PasswordReset,
    Person,
    RateLimit,
    RotaMember,
    SwapProposal,
)
from engine.models.consultations import ConsultationSupport
from engine.models.meetings import MeetingAnswer, Supporter
from engine.models.notifications import Notification, NotificationEvent
from engine.models.reminders import CalendarFeed, Reminder, ReminderPreference
from engine.notifications import events as notifications

log = logging.getLogger(__name__)

#: tables whose rows keyed by ``person_id`` only concern that person and simply go. A table
#: added later (``api_tokens`` of the JSON API) is deleted from here too when it exists.
PERSONAL_TABLES = (
    "api_tokens",
    "login_sessions",
    "password_resets",
    "reminders",
    "reminder_preferences",
    "calendar_feeds",
    "notifications",
    "join_requests",
    "association_members",
    "maintenance_rota_members",
    "coach_assignments",
    # what a neighbour said for themselves: a support of an idea, an answer to a meeting, a name
    # under a plan (the counts go down by one, as when they withdraw)
    "consultation_supports",
    "meeting_answers",
    "supporters",
)
#: the column that names the person, where it is not ``person_id``
_OWNER = {"coach_assignments": "coach_id"}
#: the models behind :data:`PERSONAL_TABLES` (a test checks the list is complete)
PERSONAL_MODELS = (
    LoginSession, PasswordReset, Reminder, ReminderPreference, CalendarFeed, Notification,
    JoinRequest, AssociationMember, RotaMember, CoachAssignment, ConsultationSupport,
    MeetingAnswer, Supporter,
)  # fmt: skip


def placeholder_email(person_id: int) -> str:
    """The unusable address a deleted account keeps (the column is unique and required)."""
    return f"deleted-{person_id}@invalid"


def delete_account(session: Session, person: Person, password: str, now: datetime) -> list[int]:
    """Delete the person's account, knowing its password; return the initiatives left without
    an initiator (their members are asked who takes over)."""
    if person.deleted_dt is not None:
        raise Refused(msg("This account no longer exists."))
    if not check_password(person, password):
        raise Refused(msg("This is not your current password."), field="password")
    return erase_person(session, person, now)


def erase_person(session: Session, person: Person, now: datetime) -> list[int]:
    """Remove everything personal about ``person``; see the module's description."""
    pid, name, email = person.id, person.name, person.email
    pending = person.pending_email
    # first the name, so what is recorded from here on (leaving the groups) says "former member"
    person.name = FORMER_MEMBER
    person.email = placeholder_email(pid)
    person.password_hash = None
    person.pending_email = person.pending_email_token_hash = person.confirm_token_hash = None
    person.is_active = False
    person.locale = "nl"
    person.deleted_dt = now
    session.flush()
    orphaned = _leave_groups(session, person, now)
    _forget_rows(session, pid, [email] + ([pending] if pending else []))
    _scrub_words(session, {name: FORMER_MEMBER, email: placeholder_email(pid)})
    _scrub_mail(session, {name: FORMER_MEMBER, email: placeholder_email(pid)})
    for initiative_id in orphaned:
        notifications.initiator_needed(session, initiative_id, now)
    session.flush()
    log.info("person %s deleted their account; %s groups lost their initiator", pid, orphaned)
    return orphaned


def _leave_groups(session: Session, person: Person, now: datetime) -> list[int]:
    """Leave every group as if the person left; the initiatives left without an initiator."""
    from engine.operations.common import get_initiative
    from engine.operations.membership import _take_out, initiator_count, resident_count

    orphaned = []
    memberships = session.scalars(
        select(Membership).where(Membership.person_id == person.id).order_by(Membership.id)
    ).all()
    for membership in memberships:
        initiative = get_initiative(session, membership.initiative_id)
        was_initiator = membership.role == "initiator"
        _take_out(session, initiative, membership, person, now, "left", role=membership.role)
        if (
            was_initiator
            and initiator_count(session, initiative.id) == 0
            and resident_count(session, initiative.id) > 0
        ):
            orphaned.append(initiative.id)
    return orphaned


def _forget_rows(session: Session, pid: int, emails: list[str]) -> None:
    """Delete the rows that only concerned the person."""
    tables = Base.metadata.tables
    # swaps offered to or by the person, and turns they would do, are open again
    session.execute(
        delete(SwapProposal).where(
            or_(SwapProposal.proposer_id == pid, SwapProposal.recipient_id == pid),
            SwapProposal.status == "pending",
        )
    )
    session.execute(
        update(Occurrence)
        .where(Occurrence.assignee_id == pid, Occurrence.status == "planned")
        .values(assignee_id=None)
    )
    for name in PERSONAL_TABLES:
        table = tables.get(name)
        column = _OWNER.get(name, "person_id")
        if isinstance(table, Table) and column in table.c:
            session.execute(delete(table).where(table.c[column] == pid))
    session.execute(
        delete(OutboxMessage).where(
            or_(OutboxMessage.person_id == pid, OutboxMessage.to_addr.in_(emails))
        )
    )
    # invitations: the ones they sent and nobody took go; their address leaves the others
    session.execute(
        delete(Invitation).where(
            or_(Invitation.invited_by_id == pid, Invitation.email.in_(emails)),
            Invitation.accepted_dt.is_(None),
        )
    )
    session.execute(
        update(Invitation).where(Invitation.email.in_(emails)).values(email=placeholder_email(pid))
    )
    keys = [RateLimit.key.like(f"%:person:{pid}")]
    keys += [RateLimit.key.like(f"%:email:{e}") for e in emails]
    session.execute(delete(RateLimit).where(or_(*keys)))


def _replace(value: Any, words: dict[str, str]) -> tuple[Any, bool]:
    """``value`` (JSON) with every string equal to one of ``words`` replaced; and whether any."""
    if isinstance(value, str):
        return (words[value], True) if value in words else (value, False)
    if isinstance(value, dict):
        out, changed = {}, False
        for k, v in value.items():
            out[k], c = _replace(v, words)
            changed |= c
        return out, changed
    if isinstance(value, list):
        items = [_replace(v, words) for v in value]
        return [v for v, _ in items], any(c for _, c in items)
    return value, False


def _scrub_words(session: Session, words: dict[str, str]) -> None:
    """Replace the name and address where earlier events wrote them down (history details,
    notifications about someone joining): only whole values, never a part of other text."""
    words = {k: v for k, v in words.items() if k}
    spellings = []
    for word in words:
        spellings.append(word)
        escaped = json.dumps(word)[1:-1]  # how the JSON column spells non-ASCII letters
        if escaped != word:
            spellings.append(escaped)
    for table in (Event.__table__, NotificationEvent.__table__):
        assert isinstance(table, Table)
        text = cast(table.c.data, String)
        rows = session.execute(
            select(table.c.id, table.c.data).where(
                or_(*[text.contains(w, autoescape=True) for w in spellings])
            )
        ).all()
        for row_id, data in rows:
            new, changed = _replace(data, words)
            if changed:
                # history is append-only for the application (an ORM guard); erasure is the
                # one change the law asks of it, done here in SQL on the details alone
                session.execute(update(table).where(table.c.id == row_id).values(data=new))


def _scrub_mail(session: Session, words: dict[str, str]) -> None:
    """Mail to others that names the person (kept a while, see engine.privacy.retention) says
    "former member" instead; this is text we wrote, so the name is replaced wherever it is."""
    words = {k: v for k, v in words.items() if k}
    spelled = dict(words)
    spelled.update({str(escape(k)): str(escape(v)) for k, v in words.items()})
    columns = (OutboxMessage.subject, OutboxMessage.body_text, OutboxMessage.body_html)
    found = session.scalars(
        select(OutboxMessage).where(
            or_(*[c.contains(w, autoescape=True) for c in columns for w in spelled])
        )
    ).all()
    for message in found:
        for word, instead in spelled.items():
            if message.subject is not None:
                message.subject = message.subject.replace(word, instead)
            message.body_text = message.body_text.replace(word, instead)
            if message.body_html is not None:
                message.body_html = message.body_html.replace(word, instead)
    # a notification's text, stored once per language for all its readers (engine.mail.outbox)
    body_columns = (OutboxBody.subject, OutboxBody.body_text, OutboxBody.body_html)
    bodies = session.scalars(
        select(OutboxBody).where(
            or_(*[c.contains(w, autoescape=True) for c in body_columns for w in spelled])
        )
    ).all()
    for body in bodies:
        for word, instead in spelled.items():
            body.body_text = body.body_text.replace(word, instead)
            if body.subject is not None:
                body.subject = body.subject.replace(word, instead)
            if body.body_html is not None:
                body.body_html = body.body_html.replace(word, instead)
    session.flush()
