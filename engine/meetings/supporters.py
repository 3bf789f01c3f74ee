"""Residents put their name under an initiative's plan (draagvlak), and withdraw it.

One support per person and initiative (a unique key); a resident chooses whether their name
shows, or only "a resident of <wijk>". The count per wijk is one aggregate in SQL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.db import conflict_guard
from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.i18n import msg
from engine.models import District, Initiative, Neighbourhood, Person
from engine.models.meetings import Supporter

log = logging.getLogger(__name__)


def support_plan(
    session: Session, actor: Person, initiative_id: int, *, neighbourhood_id: int | None,
    show_name: bool, now: datetime,
) -> Supporter:  # fmt: skip
    """Put the actor's name under the plan (once; a second time is refused plainly)."""
    if actor.email_confirmed_dt is None:
        raise PermissionDenied(
            msg("Confirm your e-mail address first (the link in the mail we sent you).")
        )
    if session.get(Initiative, initiative_id) is None:
        raise NotFound(msg("This initiative does not exist."))
    if neighbourhood_id is not None and session.get(Neighbourhood, neighbourhood_id) is None:
        raise InvalidInput(
            msg("Choose your neighbourhood from the list."), field="neighbourhood_id"
        )
    already = Conflict(msg("You already support this plan."))
    if supporter_of(session, initiative_id, actor.id) is not None:
        raise already
    supporter = Supporter(initiative_id=initiative_id, person_id=actor.id,
                          neighbourhood_id=neighbourhood_id, show_name=show_name,
                          created_dt=now)  # fmt: skip
    with conflict_guard():
        with session.begin_nested():
            session.add(supporter)
            session.flush()
    log.info("person %s supports the plan of initiative %s", actor.id, initiative_id)
    return supporter


def withdraw_support(session: Session, actor: Person, initiative_id: int) -> None:
    """Take the actor's name from under the plan."""
    done = session.execute(
        delete(Supporter).where(
            Supporter.initiative_id == initiative_id, Supporter.person_id == actor.id
        )
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        raise Conflict(msg("You do not support this plan (any more)."))
    log.info("person %s withdrew support from initiative %s", actor.id, initiative_id)


def supporter_of(session: Session, initiative_id: int, person_id: int | None) -> Supporter | None:
    if person_id is None:
        return None
    return session.scalar(
        select(Supporter).where(
            Supporter.initiative_id == initiative_id, Supporter.person_id == person_id
        )
    )


@dataclass(frozen=True)
class WijkCount:
    #: null: supporters who did not say their wijk
    wijk: str | None
    count: int


def counts_per_wijk(session: Session, initiative_id: int) -> list[WijkCount]:
    """How many support the plan, per wijk (most first), in one aggregate."""
    rows = session.execute(
        select(Neighbourhood.name, func.count(Supporter.id))
        .select_from(Supporter)
        .outerjoin(Neighbourhood, Neighbourhood.id == Supporter.neighbourhood_id)
        .where(Supporter.initiative_id == initiative_id)
        .group_by(Neighbourhood.name)
        .order_by(func.count(Supporter.id).desc(), Neighbourhood.name)
    )
    return [WijkCount(name, count) for name, count in rows]


@dataclass(frozen=True)
class ShownSupporter:
    #: the name when the supporter shows it, else None ("a resident of <wijk>")
    name: str | None
    wijk: str | None
    since: datetime


#: how many supporters a page lists by name or wijk (the counts cover all of them)
SHOWN = 200


def supporters_shown(session: Session, initiative_id: int, limit: int = SHOWN):
    rows = session.execute(
        select(Person.name, Supporter.show_name, Neighbourhood.name, Supporter.created_dt)
        .select_from(Supporter)
        .join(Person, Person.id == Supporter.person_id)
        .outerjoin(Neighbourhood, Neighbourhood.id == Supporter.neighbourhood_id)
        .where(Supporter.initiative_id == initiative_id)
        .order_by(Supporter.created_dt.desc(), Supporter.id.desc())
        .limit(limit)
    )
    return [ShownSupporter(name if shown else None, wijk, since)
            for name, shown, wijk, since in rows]  # fmt: skip


def neighbourhood_choices(session: Session) -> list[tuple[int, str, str]]:
    """Every wijk of the city, as (id, wijk, stadsdeel), by stadsdeel and name."""
    rows = session.execute(
        select(Neighbourhood.id, Neighbourhood.name, District.name)
        .join(District, District.id == Neighbourhood.district_id)
        .order_by(District.name, Neighbourhood.name)
    )
    return [(nid, name, district) for nid, name, district in rows]
