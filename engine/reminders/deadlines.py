"""What a source of deadlines gives the reminders: a :class:`Deadline`, and who it is for.

A source is ``fn(session, initiative_ids, now) -> Iterable[Deadline]``; the built-in ones
(engine.reminders.plan_dates, engine.reminders.municipal, engine.maintenance.deadlines) build on
this module and are listed in engine.reminders.sources.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.i18n import LOCALES, Msg, translate
from engine.models import Initiative, Membership, Neighbourhood, Person
from engine.models.support import CoachAssignment
from engine.permissions import RESIDENT_ROLES


@dataclass(frozen=True)
class Deadline:
    """A dated thing that produces reminders and a calendar entry."""

    #: stable identity across changes, prefixed by the source: ``step:17``, ``task:4:2027-03-01``
    key: str
    initiative_id: int | None
    #: who is reminded
    person_ids: tuple[int, ...]
    #: a kind from engine.reminders.rules (readers choose per kind how they want it)
    kind: str
    date: date
    #: what it is about: a plain text, or ``{"nl": …, "en": …}``
    title: str | dict[str, str]
    #: path in the site, e.g. ``/initiatives/4#step-17``
    link: str
    #: days before (negative: after) to remind; None: the kind's (or the stage's) defaults
    days: tuple[int, ...] | None = None
    #: also send a reminder whose moment has passed (once), e.g. a stall found late
    catch_up: bool = False
    #: show it in calendar feeds
    in_calendar: bool = True
    #: a meeting's start and end (the calendar shows its times) and where it is
    start_dt: datetime | None = None
    end_dt: datetime | None = None
    location: str | None = None
    #: filled in by the registry: the source's name
    source: str = field(default="", compare=False)

    def titles(self) -> dict[str, str]:
        if isinstance(self.title, dict):
            return {
                lang: self.title.get(lang) or next(iter(self.title.values())) for lang in LOCALES
            }
        return {lang: self.title for lang in LOCALES}


def titles_of(message: Msg) -> dict[str, str]:
    """A deadline's title in every language."""
    return {lang: translate(message, lang) for lang in LOCALES}


SourceFn = Callable[[Session, Collection[int] | None, datetime], Iterable[Deadline]]


@dataclass(frozen=True)
class Source:
    name: str
    fn: SourceFn
    #: reconciled by the periodic planner over all initiatives
    swept: bool = False


# -- who -------------------------------------------------------------------------------------


def group_members(session: Session, initiative_ids: Collection[int] | None) -> dict[int, list[int]]:
    """The resident group (initiators, members, partners) of each initiative."""
    query = select(Membership.initiative_id, Membership.person_id).where(
        Membership.role.in_(sorted(RESIDENT_ROLES))
    )
    if initiative_ids is not None:
        query = query.where(Membership.initiative_id.in_(list(initiative_ids)))
    members: dict[int, list[int]] = defaultdict(list)
    for iid, pid in session.execute(query.order_by(Membership.id)):
        members[iid].append(pid)
    return members


def coaches(session: Session, initiative_ids: Collection[int]) -> dict[int, list[int]]:
    """The coaches of each initiative: in its group, assigned to it, or to its stadsdeel."""
    ids = list(initiative_ids)
    found: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return {}
    rows = session.execute(
        select(Membership.initiative_id, Membership.person_id).where(
            Membership.initiative_id.in_(ids), Membership.role == "coach"
        )
    )
    for iid, pid in rows:
        found[iid].add(pid)
    rows = session.execute(
        select(Initiative.id, CoachAssignment.coach_id)
        .join(Neighbourhood, Neighbourhood.id == Initiative.neighbourhood_id)
        .join(
            CoachAssignment,
            or_(
                CoachAssignment.initiative_id == Initiative.id,
                CoachAssignment.district_id == Neighbourhood.district_id,
            ),
        )
        .join(Person, Person.id == CoachAssignment.coach_id)
        .where(Initiative.id.in_(ids), Person.is_active.is_(True))
    )
    for iid, pid in rows:
        found[iid].add(pid)
    return {iid: sorted(pids) for iid, pids in found.items()}
