"""The maintenance agreement (beheerafspraak) with the municipality, and its review.

The agreement says what the association takes on and what the municipality keeps doing, from
a start date to a review date (a year later by default). A coach confirms it for the
municipality; a change to its terms asks for that confirmation again. At the review the group
ends the agreement, renews it, or sends the initiative back to an earlier stage (to renew the
planting, say) while the association keeps maintaining what is there.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.errors import InvalidInput, NotFound, PermissionDenied, Refused
from engine.i18n import msg
from engine.maintenance.association import get_association
from engine.maintenance.recurrence import one_year_after
from engine.maintenance.reminders import replan
from engine.maintenance.roles import may_manage, require_manager
from engine.maintenance.tasks import stop
from engine.models import (
    Initiative,
    MaintenanceAgreement,
    MaintenanceTask,
    Person,
)
from engine.operations.common import check_version, get_initiative, record, require_not_paused
from engine.permissions import is_staff
from engine.timeutil import check_typed_date, local_date
from engine.workflows.process_plan import plan_of

MAX_DUTIES = 5000
REVIEW_OUTCOMES = ("renew", "end", "send_back")
#: the trigger recorded on the transition event of a review that sends the initiative back
REVIEW_TRIGGER = "review_send_back"


#: built once (the initiative page asks for it on every view of a group with an association)
_ACTIVE = select(MaintenanceAgreement).where(
    MaintenanceAgreement.initiative_id == bindparam("iid"),
    MaintenanceAgreement.status == "active",
)


def active_agreement(session: Session, initiative_id: int) -> MaintenanceAgreement | None:
    return session.scalar(_ACTIVE, {"iid": initiative_id})


def _duties(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        if what == "association":
            raise InvalidInput(
                msg("Describe what the association takes on."), field="association_duties"
            )
        raise InvalidInput(
            msg("Describe what the municipality keeps doing."), field="municipality_duties"
        )
    if len(text) > MAX_DUTIES:
        raise InvalidInput(msg("Keep each part of the agreement under 5,000 characters."))
    return text


def save_agreement(
    session: Session,
    actor: Person,
    initiative_id: int,
    *,
    association_duties: str,
    municipality_duties: str,
    start_date: date,
    now: datetime,
    review_date: date | None = None,
    expected_version: int | None = None,
) -> MaintenanceAgreement:
    """Make the agreement, or change the one in force (which then needs confirming again).

    The association's board and the initiators do this: the board signs for the association.
    """
    check_typed_date(start_date, "start_date")
    check_typed_date(review_date, "review_date")
    initiative = get_initiative(session, initiative_id)
    require_manager(session, initiative, actor)
    check_version(initiative, expected_version)
    association = get_association(session, initiative.id)
    if association is None:
        raise Refused(msg("Register the residents' association first: it signs the agreement."))
    ours, theirs = _duties(association_duties, "association"), _duties(municipality_duties, "")
    review_date = review_date or one_year_after(start_date)
    if review_date <= start_date:
        raise InvalidInput(msg("The review date comes after the start date."), field="review_date")
    agreement = active_agreement(session, initiative.id)
    first = agreement is None
    if agreement is None:
        agreement = MaintenanceAgreement(
            initiative_id=initiative.id, association_id=association.id, status="active",
            created_dt=now, created_by_id=actor.id,
        )  # fmt: skip
        session.add(agreement)
    terms = (ours, theirs, start_date, review_date)
    old = (
        agreement.association_duties,
        agreement.municipality_duties,
        agreement.start_date,
        agreement.review_date,
    )
    if terms != old:
        agreement.confirmed_dt = agreement.confirmed_by_id = None
    agreement.association_duties, agreement.municipality_duties = ours, theirs
    agreement.start_date, agreement.review_date = start_date, review_date
    agreement.updated_dt = now
    session.flush()
    record(
        session, initiative, actor, now, "agreement.made" if first else "agreement.changed",
        agreement=agreement.id, start=start_date.isoformat(), review=review_date.isoformat(),
    )  # fmt: skip
    session.flush()
    replan(session, {initiative.id}, now)
    return agreement


def _require_agreement(session: Session, initiative: Initiative) -> MaintenanceAgreement:
    agreement = active_agreement(session, initiative.id)
    if agreement is None:
        raise NotFound(msg("There is no maintenance agreement in force."))
    return agreement


def confirm_agreement(
    session: Session, actor: Person, initiative_id: int, *, now: datetime
) -> MaintenanceAgreement:
    """A coach confirms the agreement for the municipality."""
    if not is_staff(actor):
        raise PermissionDenied(msg("Only the municipality's coaches confirm an agreement."))
    initiative = get_initiative(session, initiative_id)
    agreement = _require_agreement(session, initiative)
    if agreement.confirmed_dt is not None:
        raise Refused(msg("The municipality has already confirmed this agreement."))
    agreement.confirmed_dt, agreement.confirmed_by_id = now, actor.id
    record(session, initiative, actor, now, "agreement.confirmed", agreement=agreement.id)
    session.flush()
    return agreement


def may_review(session: Session, initiative: Initiative, person: Person | None) -> bool:
    """Who may hold the review: those who manage zelfbeheer (engine.permissions).

    Ending or renewing the agreement is an act of the association, which its board signs for;
    sending the initiative back reopens the group's process, which the template puts in the
    initiators' hands (they handed it over). Plain members, partners and coaches take part in
    the talk but do not make the move.
    """
    return may_manage(session, initiative, person)


def send_back_stages(session: Session, initiative: Initiative) -> list[str]:
    """The stages a review may send the initiative back to: earlier ones on its path."""
    plan = plan_of(session, initiative, ())
    if not plan.is_final(initiative.state):
        return []
    return list(plan.path_before(initiative.state))


def review_agreement(
    session: Session,
    actor: Person,
    initiative_id: int,
    *,
    outcome: str,
    now: datetime,
    next_review: date | None = None,
    back_to: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> MaintenanceAgreement:
    """Hold the review: ``renew`` (a new review date), ``end``, or ``send_back`` to a stage.

    Sending back is the one move out of the final stage, which has no transitions in the
    template: it records a ``transition`` Event (trigger :data:`REVIEW_TRIGGER`) and sets the
    stage, so the stage history shows it like any move.
    """
    initiative = get_initiative(session, initiative_id)
    if not may_review(session, initiative, actor):
        raise PermissionDenied(
            msg("Only the association's board and the initiators hold the review.")
        )
    check_version(initiative, expected_version)
    if outcome not in REVIEW_OUTCOMES:
        raise InvalidInput(
            msg("Choose what the review decides: renew, end or go back."), field="outcome"
        )
    agreement = _require_agreement(session, initiative)
    today = local_date(now, config_of(session).timezone)
    note = (note or "").strip() or None
    if outcome != "renew" and not note:
        raise InvalidInput(msg("Say in a few words why, so everyone understands."), field="note")
    if outcome == "end":
        agreement.status, agreement.ended_on, agreement.last_reviewed_on = "ended", today, today
        for task in session.scalars(
            select(MaintenanceTask).where(
                MaintenanceTask.initiative_id == initiative.id,
                MaintenanceTask.is_active.is_(True),
            )
        ):
            stop(session, task, today)
        record(
            session, initiative, actor, now, "agreement.ended", note=note, agreement=agreement.id
        )
        session.flush()
        replan(session, {initiative.id}, now)
        return agreement
    next_review = next_review or one_year_after(today)
    if next_review <= today:
        raise InvalidInput(msg("The next review date lies in the future."), field="next_review")
    if outcome == "send_back":
        _send_back(session, actor, initiative, back_to, now, note, agreement.id)
    else:
        record(
            session, initiative, actor, now, "agreement.renewed", note=note,
            agreement=agreement.id, review=next_review.isoformat(),
        )  # fmt: skip
    agreement.review_date, agreement.last_reviewed_on = next_review, today
    session.flush()
    replan(session, {initiative.id}, now)
    return agreement


def _send_back(
    session: Session,
    actor: Person,
    initiative: Initiative,
    back_to: str | None,
    now: datetime,
    note: str | None,
    agreement_id: int,
) -> None:
    require_not_paused(initiative)
    allowed = send_back_stages(session, initiative)
    if not allowed:
        raise Refused(msg("Only an initiative in its last stage can be sent back by a review."))
    if back_to not in allowed:
        raise InvalidInput(
            msg("Choose an earlier stage of the plan to go back to."), field="back_to"
        )
    from_stage = initiative.state
    initiative.state, initiative.stage_entered_dt = back_to, now
    # a move like any other in the stage history (kind "transition"), marked as the review's
    record(
        session, initiative, actor, now, "transition", note=note, from_stage=from_stage,
        to_stage=back_to, trigger=REVIEW_TRIGGER, agreement=agreement_id,
    )  # fmt: skip
