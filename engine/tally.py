"""Where a group decision stands: who decides, how they voted, its outcome, and all that in words.

The electorate is fixed when a decision opens (one :class:`~engine.models.Elector` row each):
the group's residents then (only the initiators, for the ``initiators`` rule). Who joins later
does not vote on it and is not counted. While the decision is open, an elector counts when they
are still in the group or have voted: a vote cast stands when its voter leaves (removing someone
cannot change an outcome), and the missing vote of someone who left blocks nothing (leaving
cannot stall the group). When the decision closes, the electors who no longer counted are
marked (``dropped_dt``), so a closed decision's numbers stay as they were.

The rules (see docs/decisions.md):

* ``initiators`` — one initiator against rejects at once; all initiators for approves at once;
  closing it otherwise rejects it.
* ``majority`` — open until its closing moment, or until everyone who decides has voted (never
  earlier: votes may change until then). Then adopted when the quorum voted (default: more than
  half of those who decide) and more voted for than against; otherwise rejected.
* ``consent`` — one objection rejects at once; everyone for approves at once; silence until the
  end of the period is consent.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from engine.i18n import Msg, msg, nmsg
from engine.models import Decision, Elector, Membership, Person, Vote
from engine.permissions import RESIDENT_ROLES

#: the outcome of a decision in one word, by its status
OUTCOME_WORDS: dict[str, Msg] = {
    "open": msg("So far"),
    "approved": msg("Adopted"),
    "used": msg("Adopted"),
    "rejected": msg("Rejected"),
    "cancelled": msg("Cancelled"),
}
#: statuses whose electorate was settled when the decision closed
SETTLED = frozenset({"approved", "rejected", "used"})


@dataclass(frozen=True, slots=True)
class Ballot:
    """One person who decides, and their vote if they cast one."""

    person_id: int
    name: str
    choice: str | None = None
    comment: str | None = None
    cast_dt: datetime | None = None


@dataclass(frozen=True)
class Tally:
    """The people who decide (as they count now) and their votes."""

    rule: str
    #: those who count: voters in the order they voted, then the others by name
    ballots: tuple[Ballot, ...]
    #: majority: the share (percent) of the electorate that must vote; None: more than half
    quorum: int | None = None

    @property
    def electorate(self) -> int:
        return len(self.ballots)

    @property
    def cast(self) -> tuple[Ballot, ...]:
        return tuple(b for b in self.ballots if b.choice is not None)

    def count(self, choice: str) -> int:
        return sum(1 for b in self.ballots if b.choice == choice)

    def choice_of(self, person_id: int | None) -> str | None:
        return next((b.choice for b in self.ballots if b.person_id == person_id), None)

    def includes(self, person_id: int | None) -> bool:
        return any(b.person_id == person_id for b in self.ballots)

    @property
    def everyone_voted(self) -> bool:
        return bool(self.ballots) and all(b.choice is not None for b in self.ballots)

    @property
    def needed(self) -> int:
        """How many must vote for a majority vote to count (its quorum)."""
        return votes_needed(self.electorate, self.quorum)

    @property
    def quorum_met(self) -> bool:
        return len(self.cast) >= self.needed


def votes_needed(electorate: int, quorum: int | None) -> int:
    """The quorum in votes: more than half, or at least ``quorum`` percent (never below one)."""
    if quorum is None:
        return electorate // 2 + 1
    return max(1, math.ceil(electorate * quorum / 100))


def outcome(tally: Tally, *, period_over: bool, closing: bool) -> str | None:
    """``approved``, ``rejected``, or ``None`` while the decision stays open.

    ``period_over``: the closing moment has come; ``closing``: someone closes it now.
    """
    if tally.rule == "initiators":
        if tally.count("against"):
            return "rejected"
        if tally.everyone_voted:
            return "approved"
        return "rejected" if closing else None
    if tally.rule == "majority":
        if not (closing or period_over or tally.everyone_voted):
            return None
        adopted = tally.quorum_met and tally.count("for") > tally.count("against")
        return "approved" if adopted else "rejected"
    # consent
    if tally.count("object"):
        return "rejected"
    if tally.everyone_voted or period_over or closing:
        return "approved"
    return None


def quorum_missed(tally: Tally) -> bool:
    """A majority vote that did not get enough votes to count."""
    return tally.rule == "majority" and not tally.quorum_met


# --- in words -------------------------------------------------------------------------------


def counts_sentence(rule: str, *, yes: int, no: int, objections: int, electorate: int) -> Msg:
    """ "3 for, 1 against, of 5 who decide" (consent: "1 objection, 2 in favour, of 5 …")."""
    who = nmsg("of %(num)d who decides", "of %(num)d who decide", electorate)
    in_favour = nmsg("%(num)d in favour", "%(num)d in favour", yes)
    if rule == "consent":
        objected = nmsg("%(num)d objection", "%(num)d objections", objections)
        return msg(
            "%(objections)s, %(in_favour)s, %(who)s",
            objections=objected,
            in_favour=in_favour,
            who=who,
        )
    return msg(
        "%(yes)s, %(no)s, %(who)s",
        yes=nmsg("%(num)d for", "%(num)d for", yes),
        no=nmsg("%(num)d against", "%(num)d against", no),
        who=who,
    )


def tally_counts(tally: Tally) -> dict[str, int]:
    """The numbers of a tally, as the history keeps them."""
    return {
        "yes": tally.count("for"),
        "no": tally.count("against"),
        "objections": tally.count("object"),
        "electorate": tally.electorate,
    }


def outcome_sentence(status: str, tally: Tally) -> Msg:
    """ "Adopted: 3 for, 1 against, of 5 who decide" ("So far: …" while open)."""
    return msg(
        "%(outcome)s: %(counts)s.",
        outcome=OUTCOME_WORDS.get(status, OUTCOME_WORDS["open"]),
        counts=counts_sentence(tally.rule, **tally_counts(tally)),
    )


# --- loading --------------------------------------------------------------------------------


def group_of(session: Session, initiative_id: int) -> set[int]:
    """The residents in the group now (person ids)."""
    return set(
        session.scalars(
            select(Membership.person_id).where(
                Membership.initiative_id == initiative_id, Membership.role.in_(RESIDENT_ROLES)
            )
        )
    )


def load_tallies(
    session: Session, decisions: Iterable[Decision], group: Collection[int]
) -> dict[int, Tally]:
    """The tally of each decision (of one initiative whose residents are ``group``): one query."""
    decisions = list(decisions)
    if not decisions:
        return {}
    rows = session.execute(
        select(
            Elector.decision_id,
            Elector.person_id,
            Elector.dropped_dt,
            Person.name,
            Vote.id.label("vote_id"),
            Vote.choice,
            Vote.comment,
            Vote.cast_dt,
        )
        .join(Person, Person.id == Elector.person_id)
        .outerjoin(
            Vote,
            and_(Vote.decision_id == Elector.decision_id, Vote.person_id == Elector.person_id),
        )
        .where(Elector.decision_id.in_([d.id for d in decisions]))
    ).all()
    by_decision: dict[int, list] = {}
    for row in rows:
        by_decision.setdefault(row.decision_id, []).append(row)
    tallies = {}
    for d in decisions:
        counted = [r for r in by_decision.get(d.id, []) if _counts(d, r, group)]
        counted.sort(key=lambda r: (r.vote_id is None, r.vote_id or 0, r.name, r.person_id))
        ballots = tuple(
            Ballot(r.person_id, r.name, r.choice, r.comment, r.cast_dt) for r in counted
        )
        tallies[d.id] = Tally(d.rule, ballots, d.quorum)
    return tallies


def _counts(decision: Decision, row, group: Collection[int]) -> bool:
    if row.dropped_dt is not None:
        return False
    if decision.status in SETTLED:
        return True
    return row.choice is not None or row.person_id in group


def tally_of(session: Session, decision: Decision) -> Tally:
    """The tally of one decision as it stands."""
    return load_tallies(session, [decision], group_of(session, decision.initiative_id))[decision.id]
