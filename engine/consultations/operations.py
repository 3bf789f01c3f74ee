"""Run a consultation: the group opens it on its stage with a question and an end date, closes
it (or it closes by itself at the end of its last day), and says what it did with each idea;
residents outside the group post ideas and reactions (with a photo if they like), support other
people's ideas, and reply.

Posting is not a change of the group's process: nothing here touches the initiative's version,
so nobody's open page of the initiative goes stale because a neighbour wrote.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.consultations.photos import PhotoStore, check_photo
from engine.discussions.queries import Standing, standing
from engine.discussions.text import MAX_MESSAGE, MAX_REASON, clean_text
from engine.errors import InvalidInput, NotFound, PermissionDenied, Refused
from engine.i18n import msg
from engine.models import Initiative, Person
from engine.models.consultations import (
    OUTCOMES,
    Consultation,
    ConsultationPost,
    ConsultationSupport,
)
from engine.notifications import events
from engine.operations.common import (
    check_row_version,
    get_initiative,
    lock_initiative,
    record_detail,
    require_change,
)
from engine.permissions import (
    can_post_in_consultation,
    can_reply_in_consultation,
    can_run_consultation,
    is_staff,
)
from engine.storage import on_rollback
from engine.timeutil import check_typed_date, local_date, zone

log = logging.getLogger(__name__)

#: the longest question the group asks
MAX_QUESTION = 1000

_CHANGED = msg(
    "Someone changed this at the same moment. Nothing was saved; look at it as it is now and "
    "try again."
)
_NOT_OPEN = msg("The consultation is closed: nothing can be posted or supported any more.")


def get_consultation(session: Session, initiative_id: int, consultation_id: int) -> Consultation:
    found = session.get(Consultation, consultation_id)
    if found is None or found.initiative_id != initiative_id:
        raise NotFound(msg("This consultation does not exist."))
    return found


def get_post(session: Session, initiative_id: int, post_id: int) -> ConsultationPost:
    found = session.get(ConsultationPost, post_id)
    if found is None or found.initiative_id != initiative_id:
        raise NotFound(msg("This idea or reaction does not exist."))
    return found


def closing_moment(ends_on: date, tz: str | None) -> datetime:
    """The end of the last day, local time (midnight after it)."""
    return datetime.combine(ends_on + timedelta(days=1), time(0), tzinfo=zone(tz))


def _check_end(ends_on: date | None, now: datetime, tz: str) -> date:
    if ends_on is None:
        raise InvalidInput(msg("Enter the last day people can respond."), field="ends_on")
    check_typed_date(ends_on, "ends_on")
    if ends_on < local_date(now, tz):
        raise InvalidInput(msg("Choose today or a day after today."), field="ends_on")
    return ends_on


def open_consultation(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    question: str | None,
    ends_on: date | None,
    now: datetime,
) -> Consultation:
    """Open the consultation of the current stage (or open it again, with a new question and
    end date, when it was closed)."""
    initiative = lock_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    tz = config_of(session).timezone
    text = clean_text(question, field="question", maximum=MAX_QUESTION)
    last_day = _check_end(ends_on, now, tz)
    found = session.scalar(
        select(Consultation).where(
            Consultation.initiative_id == initiative.id,
            Consultation.stage_key == initiative.state,
        )
    )
    if found is not None and found.is_open:
        raise Refused(msg("The consultation of this stage is open already."))
    if found is None:
        found = Consultation(
            initiative_id=initiative.id, stage_key=initiative.state, opened_by_id=actor.id
        )
        session.add(found)
    found.question, found.ends_on, found.closes_dt = text, last_day, closing_moment(last_day, tz)
    found.status, found.opened_dt, found.opened_by_id = "open", now, actor.id
    found.closed_dt = found.closed_by_id = None
    session.flush()
    record_detail(
        session, initiative, actor, now, "consultation.opened",
        consultation=found.id, stage=found.stage_key, ends_on=last_day.isoformat(),
    )  # fmt: skip
    return found


def close_consultation(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    consultation_id: int,
    now: datetime,
    expected_version: int | None = None,
) -> Consultation:
    """The group closes its consultation before (or on) its last day."""
    initiative = lock_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    found = get_consultation(session, initiative_id, consultation_id)
    if not found.is_open:
        raise Refused(msg("The consultation is closed already."))
    check_row_version(found, expected_version, _CHANGED)
    found.status, found.closed_dt, found.closed_by_id = "closed", now, actor.id
    session.flush()
    record_detail(
        session, initiative, actor, now, "consultation.closed",
        consultation=found.id, stage=found.stage_key,
    )  # fmt: skip
    return found


def close_due_consultations(session: Session, now: datetime) -> list[int]:
    """Close every open consultation whose last day is over (the sweep). A pause does not keep
    it open: the neighbourhood was told its end date."""
    due = list(
        session.scalars(
            select(Consultation)
            .where(Consultation.status == "open", Consultation.closes_dt <= now)
            .order_by(Consultation.id)
            .limit(500)
        )
    )
    for found in due:
        found.status, found.closed_dt = "closed", now
        initiative = session.get(Initiative, found.initiative_id)
        assert initiative is not None
        record_detail(
            session, initiative, None, now, "consultation.closed",
            consultation=found.id, stage=found.stage_key,
        )  # fmt: skip
    session.flush()
    return [c.id for c in due]


# --- taking part ------------------------------------------------------------------------------


def _who(session: Session, initiative_id: int, actor: Person) -> Standing:
    return standing(session, get_initiative(session, initiative_id), actor)


def _open(session: Session, initiative_id: int, consultation_id: int) -> Consultation:
    found = get_consultation(session, initiative_id, consultation_id)
    if not found.is_open:
        raise Refused(_NOT_OPEN)
    return found


def post_idea(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    consultation_id: int,
    kind: str,
    body: str | None,
    now: datetime,
    photo: tuple[str, bytes] | None = None,
    store: PhotoStore | None = None,
) -> ConsultationPost:
    """A resident outside the group posts an idea or a reaction, with a photo if they like
    (``photo``: the file's name and bytes, kept in ``store``)."""
    who = _who(session, initiative_id, actor)
    if not can_post_in_consultation(actor, who.role):
        raise PermissionDenied(
            msg("The group asks its neighbours here; the group itself answers under the ideas.")
            if who.role is not None
            else msg("Process coaches do not post ideas; they can answer under them.")
        )
    if kind not in ("idea", "reaction"):
        raise InvalidInput(msg("Choose: an idea or a reaction."), field="kind")
    consultation = _open(session, initiative_id, consultation_id)
    text = clean_text(body, field="body", maximum=MAX_MESSAGE)
    post = ConsultationPost(
        consultation_id=consultation.id, initiative_id=initiative_id, kind=kind,
        author_id=actor.id, body=text, created_dt=now,
    )  # fmt: skip
    if photo is not None and (photo[0] or photo[1]):
        if store is None:
            raise InvalidInput(msg("Photos cannot be added here."), field="photo")
        extension, content_type = check_photo(*photo)
        name = store.save(photo[1], extension)
        on_rollback(session, lambda: store.delete(name))
        post.photo_name, post.photo_type = name, content_type
    session.add(post)
    session.flush()
    log.info("initiative %s: %s %s posted by %s", initiative_id, kind, post.id, actor.id)
    events.idea_posted(session, post, consultation, actor, now)
    return post


def reply(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    parent_id: int,
    body: str | None,
    now: datetime,
) -> ConsultationPost:
    """Answer under an idea or a reaction (a reply to a reply joins the same conversation)."""
    who = _who(session, initiative_id, actor)
    if not can_reply_in_consultation(actor, who.role, who.area_coach):
        raise PermissionDenied(msg("Log in to take part."))
    parent = get_post(session, initiative_id, parent_id)
    if parent.parent_id is not None:
        parent = get_post(session, initiative_id, parent.parent_id)
    if parent.is_gone:
        raise Refused(
            msg("This idea or reaction was deleted by its author; it cannot be answered.")
            if parent.deleted_dt
            else msg("This idea or reaction was hidden; it cannot be answered.")
        )
    _open(session, initiative_id, parent.consultation_id)
    text = clean_text(body, field="body", maximum=MAX_MESSAGE)
    post = ConsultationPost(
        consultation_id=parent.consultation_id, initiative_id=initiative_id, kind="reply",
        parent_id=parent.id, author_id=actor.id, body=text, created_dt=now,
        is_from_group=who.role is not None, is_from_coach=is_staff(actor),
    )  # fmt: skip
    session.add(post)
    session.flush()
    log.info("initiative %s: reply %s to %s by %s", initiative_id, post.id, parent.id, actor.id)
    return post


def _idea(session: Session, initiative_id: int, post_id: int) -> ConsultationPost:
    post = get_post(session, initiative_id, post_id)
    if post.kind != "idea":
        raise Refused(msg("Only ideas can be supported or answered this way."))
    return post


def support(
    session: Session, actor: Person, *, initiative_id: int, post_id: int, now: datetime
) -> ConsultationPost:
    """Support someone else's idea, once."""
    who = _who(session, initiative_id, actor)
    if not can_post_in_consultation(actor, who.role):
        raise PermissionDenied(msg("Residents outside the group support ideas."))
    post = _idea(session, initiative_id, post_id)
    if post.author_id == actor.id:
        raise Refused(msg("This is your own idea: ask your neighbours to support it."))
    if post.is_gone:
        raise Refused(
            msg("This idea was deleted by its author; it cannot be supported.")
            if post.deleted_dt
            else msg("This idea was hidden; it cannot be supported.")
        )
    _open(session, initiative_id, post.consultation_id)
    known = session.get(ConsultationSupport, (post.id, actor.id))
    if known is not None:
        raise Refused(msg("You support this idea already."))
    session.add(ConsultationSupport(post_id=post.id, person_id=actor.id, created_dt=now))
    session.flush()
    return post


def withdraw_support(
    session: Session, actor: Person, *, initiative_id: int, post_id: int, now: datetime
) -> ConsultationPost:
    """Take one's support back (also after the consultation closed: it is one's own name)."""
    post = _idea(session, initiative_id, post_id)
    gone = session.execute(
        delete(ConsultationSupport).where(
            ConsultationSupport.post_id == post.id, ConsultationSupport.person_id == actor.id
        )
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise Refused(msg("You do not support this idea."))
    return post


def mark_idea(
    session: Session,
    actor: Person,
    *,
    initiative_id: int,
    post_id: int,
    outcome: str | None,
    reason: str | None,
    now: datetime,
    expected_version: int | None = None,
) -> ConsultationPost:
    """The group says what it did with an idea: taken up, or not (and why not)."""
    initiative = get_initiative(session, initiative_id)
    role = require_change(session, initiative, actor)
    if not can_run_consultation(role):  # pragma: no cover - require_change says so first
        raise PermissionDenied(msg("Only the group says what it did with an idea."))
    post = _idea(session, initiative_id, post_id)
    if post.is_gone:
        raise Refused(
            msg("This post was deleted.") if post.deleted_dt else msg("This idea was hidden.")
        )
    if outcome not in OUTCOMES:
        raise InvalidInput(msg("Choose what the group did with the idea."), field="outcome")
    why = (
        clean_text(reason, field="reason", maximum=MAX_REASON, required=outcome == "not_adopted")
        or None
    )
    check_row_version(post, expected_version, _CHANGED)
    post.outcome, post.outcome_reason = outcome, why
    post.outcome_by_id, post.outcome_dt = actor.id, now
    session.flush()
    record_detail(
        session, initiative, actor, now, "consultation.idea_marked",
        post=post.id, outcome=outcome, reason=why,
    )  # fmt: skip
    return post
