"""One function per event an operation reports: who is told, with which words, where it leads.

Each is called by its operation after the fact is recorded, in the same transaction, as one
line (``events.decision_opened(session, decision, actor, now)``). Who is told is a SQL select
(engine.notifications.recipients); the rules (not the actor, not a paused group) are the
fan-out's (engine.notifications.fanout).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine.models import (
    Concern,
    Decision,
    Initiative,
    JoinRequest,
    MaintenanceTask,
    Membership,
    Occurrence,
    Person,
    Step,
    SupportRequest,
    SwapProposal,
)
from engine.notifications import recipients as to
from engine.notifications.fanout import notify
from engine.workflows.definitions import Text

#: how long before a decision closes its electorate hears that it will
CLOSING_NOTICE = timedelta(hours=48)


def _initiative(session: Session, initiative_id: int) -> Initiative:
    found = session.get(Initiative, initiative_id)
    assert found is not None
    return found


def _tell(
    session: Session,
    kind: str,
    initiative_id: int,
    who: Person | None,
    whom: Select,
    link: str,
    now: datetime,
    subject_id: int | None = None,
    **data: Any,
) -> int:
    initiative = _initiative(session, initiative_id)
    data.setdefault("initiative", initiative.title)
    data.setdefault("language", initiative.language)  # the language its words are written in
    if who is not None:
        data.setdefault("actor", who.name)
    return notify(
        session, kind=kind, initiative_id=initiative_id,
        actor_id=who.id if who is not None else None, recipients=whom, link=link, now=now,
        data=data, subject_id=subject_id,
    )  # fmt: skip


# -- decisions -------------------------------------------------------------------------------


def _decision_title(session: Session, decision: Decision) -> str:
    return decision.question or decision.trigger.replace("_", " ")


def _decision_link(decision: Decision) -> str:
    return f"/initiatives/{decision.initiative_id}#decision-{decision.id}"


def decision_opened(session: Session, decision: Decision, actor: Person, now: datetime) -> None:
    session.flush()  # the electorate rows
    _tell(session, "decision_opened", decision.initiative_id, actor,
          to.electorate(decision.id), _decision_link(decision), now, decision.id,
          title=_decision_title(session, decision))  # fmt: skip


def decision_closed(
    session: Session, decision: Decision, actor: Person | None, now: datetime
) -> None:
    kind = "decision_approved" if decision.status == "approved" else "decision_rejected"
    _tell(session, kind, decision.initiative_id, actor, to.electorate(decision.id),
          _decision_link(decision), now, decision.id,
          title=_decision_title(session, decision))  # fmt: skip


def decision_closing(session: Session, decision: Decision, now: datetime) -> None:
    """Tell who has not voted that the decision closes soon (once; the sweep calls it)."""
    assert decision.closes_dt is not None
    # a period no longer than the notice: the opening said it all (recorded, told nobody)
    short = decision.closes_dt - decision.opened_dt <= CLOSING_NOTICE
    whom = to.nobody() if short else to.not_voted(decision.id)
    _tell(session, "decision_closing", decision.initiative_id, None, whom,
          _decision_link(decision), now, decision.id,
          title=_decision_title(session, decision),
          closes_dt=decision.closes_dt.isoformat())  # fmt: skip


# -- the group -------------------------------------------------------------------------------


def _members_link(initiative_id: int) -> str:
    return f"/initiatives/{initiative_id}/members"


def join_requested(session: Session, request: JoinRequest, actor: Person, now: datetime) -> None:
    _tell(session, "join_requested", request.initiative_id, actor,
          to.initiators(request.initiative_id), _members_link(request.initiative_id), now,
          request.id)  # fmt: skip


def join_answered(session: Session, request: JoinRequest, actor: Person, now: datetime) -> None:
    kind = "join_approved" if request.status == "approved" else "join_declined"
    _tell(session, kind, request.initiative_id, actor, to.person(request.person_id),
          f"/initiatives/{request.initiative_id}", now, request.id)  # fmt: skip


def member_joined(
    session: Session, membership: Membership, person: Person, actor: Person | None, now: datetime
) -> None:
    """Tell the group (not the newcomer, not the initiator who let them in)."""
    iid = membership.initiative_id
    whom = to.group(iid).where(Membership.person_id != person.id)
    _tell(session, "member_joined", iid, actor or person, whom, _members_link(iid), now,
          person.id, name=person.name)  # fmt: skip


def member_left(
    session: Session, initiative_id: int, person_id: int, actor: Person, now: datetime
) -> None:
    name = session.scalar(select(Person.name).where(Person.id == person_id)) or ""
    _tell(session, "member_left", initiative_id, actor, to.group(initiative_id),
          _members_link(initiative_id), now, person_id, name=name)  # fmt: skip


def initiator_needed(session: Session, initiative_id: int, now: datetime) -> None:
    """Ask the group who takes over now that the last initiator is gone (a deleted account)."""
    _tell(session, "initiator_needed", initiative_id, None, to.group(initiative_id),
          f"/initiatives/{initiative_id}/take-over", now, initiative_id)  # fmt: skip


def paused(session: Session, initiative: Initiative, actor: Person, now: datetime) -> None:
    kind = "initiative_paused" if initiative.is_paused else "initiative_resumed"
    _tell(session, kind, initiative.id, actor, to.group(initiative.id),
          f"/initiatives/{initiative.id}", now, initiative.id)  # fmt: skip


def stage_moved(
    session: Session,
    initiative_id: int,
    stage: Text,
    actor: Person,
    now: datetime,
    *,
    title: str,
    language: str,
) -> None:
    """Tell the group it moved to ``stage`` (its title). The move hands over what it has read
    already (the initiative's ``title`` and ``language``, the stage's title from its plan), so
    telling reads nothing of its own: the move is the engine's hot path."""
    notify(
        session, kind="stage_moved", initiative_id=initiative_id, actor_id=actor.id,
        recipients=to.group(initiative_id), link=f"/initiatives/{initiative_id}", now=now,
        data={"stage": stage.as_dict(), "initiative": title, "language": language,
              "actor": actor.name},
    )  # fmt: skip


def step_assigned(session: Session, step: Step, actor: Person, now: datetime) -> None:
    if step.owner_id is None:
        return
    _tell(session, "step_assigned", step.initiative_id, actor, to.person(step.owner_id),
          f"/initiatives/{step.initiative_id}#step-{step.id}", now, step.id,
          title=step.title)  # fmt: skip


# -- the municipality ------------------------------------------------------------------------


def _request_title(request: SupportRequest) -> str:
    """The request's first words: the group's own, in no language of ours."""
    words = " ".join(request.description.split())
    return words if len(words) <= 80 else words[:79].rstrip() + "…"


def support_changed(
    session: Session, request: SupportRequest, actor: Person, now: datetime
) -> None:
    """Filed: the area's coaches (or the admins) hear at once; answered: the group."""
    iid = request.initiative_id
    link = f"/initiatives/{iid}/support/{request.id}"
    if request.status == "submitted":
        unassigned = session.scalar(to.coaches(iid).exists().select()) is False
        kind = "support_filed_unassigned" if unassigned else "support_filed"
        _tell(session, kind, iid, actor, to.coaches_or_admins(iid), link, now, request.id,
              title=_request_title(request))  # fmt: skip
        return
    kind = f"support_{request.status}"
    _tell(session, kind, iid, actor, to.group(iid), link, now, request.id,
          title=_request_title(request))  # fmt: skip


def concern_changed(session: Session, concern: Concern, actor: Person, now: datetime) -> None:
    kind = "concern_raised" if concern.cleared_dt is None else "concern_cleared"
    iid = concern.initiative_id
    _tell(session, kind, iid, actor, to.initiators(iid), f"/initiatives/{iid}", now,
          concern.id, title=concern.reason)  # fmt: skip


# -- maintenance -----------------------------------------------------------------------------


def _turn(session: Session, kind: str, turn: Occurrence, person_id: int | None, actor: Person,
          now: datetime) -> None:  # fmt: skip
    _tell(session, kind, turn.initiative_id, actor, to.person(person_id),
          f"/initiatives/{turn.initiative_id}/maintenance#turn-{turn.id}", now, turn.id,
          title=turn.task.title, date=turn.due_date.isoformat())  # fmt: skip


def turn_assigned(session: Session, turn: Occurrence, actor: Person, now: datetime) -> None:
    _turn(session, "rota_assigned", turn, turn.assignee_id, actor, now)


def turns_dealt(
    session: Session, task: MaintenanceTask, dealt: Iterable[Any], now: datetime
) -> None:
    """The sweep dealt new turns of ``task`` (rows of id, assignee_id, due_date): each
    volunteer hears of theirs (a paused group is not planned for, nor told)."""
    iid = task.initiative_id
    for turn in dealt:
        if turn.assignee_id is None:
            continue
        _tell(session, "rota_assigned", iid, None, to.person(turn.assignee_id),
              f"/initiatives/{iid}/maintenance#turn-{turn.id}", now, turn.id,
              title=task.title, date=turn.due_date.isoformat())  # fmt: skip


def turns_swapped(
    session: Session, turns: Iterable[Occurrence], actor: Person, now: datetime
) -> None:
    for turn in turns:
        _turn(session, "rota_swapped", turn, turn.assignee_id, actor, now)


def swap_accepted(session: Session, proposal: SwapProposal, actor: Person, now: datetime) -> None:
    """The volunteer who asked hears that the other agreed."""
    _turn(session, "rota_swapped", proposal.occurrence, proposal.proposer_id, actor, now)


# -- discussions -----------------------------------------------------------------------------


def message_posted(
    session: Session, message: Any, actor: Person, whom: Select, page: int, now: datetime
) -> None:
    """Tell a discussion's participants (``whom``, chosen by engine.discussions) of a new
    message; ``page`` is the page of its thread it is on."""
    base = f"/initiatives/{message.initiative_id}"
    title = _initiative(session, message.initiative_id).title
    if message.channel == "coaches":
        path = f"{base}/discussion/coaches"
    elif message.decision_id is not None:
        decision = session.get(Decision, message.decision_id)
        assert decision is not None
        path = f"{base}/decisions/{message.decision_id}/discussion"
        title = _decision_title(session, decision)
    else:
        path = f"{base}/discussion"
    link = f"{path}?page={page}#message-{message.id}"
    _tell(session, "message_posted", message.initiative_id, actor, whom, link, now, message.id,
          title=title)  # fmt: skip


# -- the survey ------------------------------------------------------------------------------


def survey_closed(session: Session, survey: Any, actor: Person | None, now: datetime) -> None:
    """Tell the group its survey closed (by a member, or at its end date), with the results."""
    _tell(session, "survey_closed", survey.initiative_id, actor, to.group(survey.initiative_id),
          f"/initiatives/{survey.initiative_id}/survey/results", now, survey.id,
          title=survey.title)  # fmt: skip


# -- consultation ----------------------------------------------------------------------------


def idea_posted(
    session: Session, post: Any, consultation: Any, actor: Person, now: datetime
) -> None:
    """Tell the group of a new idea or reaction in its consultation."""
    link = f"/initiatives/{post.initiative_id}/consultation#post-{post.id}"
    question = consultation.question
    title = question if len(question) <= 80 else question[:79].rstrip() + "…"
    _tell(session, "idea_posted", post.initiative_id, actor, to.group(post.initiative_id), link,
          now, post.id, title=title)  # fmt: skip
