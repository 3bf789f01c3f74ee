"""The group decisions an initiative's page shows: who decides, the votes, the outcome, and why
the visitor cannot vote (if they cannot). Two queries for all of them (engine.pages calls it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from engine.history import move_title, names
from engine.i18n import Msg
from engine.models import Decision, Initiative
from engine.models.initiatives import LIVE_DECISION_STATUSES
from engine.operations.decisions import CHOICES, vote_refusal
from engine.tally import Ballot, Tally, load_tallies, outcome_sentence, quorum_missed
from engine.workflows.definitions import Text


@dataclass
class DecisionView:
    decision: Decision
    move_title: Text
    opened_by_name: str
    tally: Tally
    choices: tuple[str, ...]
    my_choice: str | None = None
    #: why the visitor (a member) cannot vote on this open decision; None: they can
    why_not: Msg | None = None
    #: the initiative pauses: the decision stands still
    paused: bool = False

    @property
    def is_open(self) -> bool:
        return self.decision.status == "open"

    @property
    def votes(self) -> tuple[Ballot, ...]:
        return self.tally.cast

    @property
    def electorate(self) -> int:
        """How many decide: the group when it opened (initiators for that rule), as counted."""
        return self.tally.electorate

    @property
    def electors(self) -> list[str]:
        """The names of those who decide, in alphabetical order."""
        return sorted(b.name for b in self.tally.ballots)

    def count(self, choice: str) -> int:
        return self.tally.count(choice)

    @property
    def sentence(self) -> Msg:
        """ "Adopted: 3 for, 1 against, of 5 who decide" ("So far: …" while open)."""
        return outcome_sentence(self.decision.status, self.tally)

    @property
    def quorum_missed(self) -> bool:
        return self.decision.status == "rejected" and quorum_missed(self.tally)

    @property
    def may_vote(self) -> bool:
        return self.is_open and self.why_not is None


#: live decisions, and those of the current stage (built once: every initiative page reads it)
_DECISIONS = (
    select(Decision)
    .where(
        Decision.initiative_id == bindparam("iid"),
        or_(
            Decision.status.in_(LIVE_DECISION_STATUSES),
            (Decision.stage_key == bindparam("stage"))
            & (Decision.opened_dt >= bindparam("entered")),
        ),
    )
    .order_by(Decision.id)
)


def page_decisions(session: Session, initiative: Initiative) -> list[Decision]:
    """Live decisions, and the ones taken since the group entered the current stage (the live
    ones also judge the page's moves: read once)."""
    return list(
        session.scalars(
            _DECISIONS,
            {
                "iid": initiative.id,
                "stage": initiative.state,
                "entered": initiative.stage_entered_dt,
            },
        )
    )


def decision_views(
    session: Session,
    initiative: Initiative,
    decisions: list[Decision],
    titles: dict[str, Text],
    group: Mapping[int, tuple[str, str, datetime]],
    viewer_id: int | None,
) -> list[DecisionView]:
    """The page's decisions (:func:`page_decisions`) as the page shows them.

    ``group``: the residents now, person id → (name, role, joined).
    """
    if not decisions:
        return []
    tallies = load_tallies(session, decisions, group)
    openers = names(session, {d.opened_by_id for d in decisions} - set(group))
    viewer = group.get(viewer_id) if viewer_id is not None else None
    views = []
    for d in decisions:
        tally = tallies[d.id]
        why_not = None
        if viewer is not None and d.status == "open":
            why_not = vote_refusal(
                d,
                is_elector=tally.includes(viewer_id),
                role=viewer[1],
                joined_dt=viewer[2],
                is_paused=initiative.is_paused,
            )
        opener = group.get(d.opened_by_id)
        views.append(
            DecisionView(
                decision=d,
                move_title=move_title(titles, d.trigger),
                opened_by_name=opener[0] if opener else openers.get(d.opened_by_id, "?"),
                tally=tally,
                choices=CHOICES[d.rule],
                my_choice=tally.choice_of(viewer_id),
                why_not=why_not,
                paused=initiative.is_paused,
            )
        )
    return views
