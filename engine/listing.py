"""What the public list of initiatives shows: by stadsdeel and wijk, the reader's own first."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, contains_eager

from engine.models import (
    District,
    Initiative,
    Membership,
    Neighbourhood,
    Person,
    StagePlan,
    WorkflowVersion,
)
from engine.permissions import is_staff
from engine.workflows.process_plan import own_titles, process_plan
from engine.workflows.versions import definitions_by_hash


@dataclass
class Row:
    initiative: Initiative
    district: str
    neighbourhood: str
    workflow: str
    stage_title: dict[str, str]


@dataclass
class Overview:
    mine: list[Row] = field(default_factory=list)
    #: stadsdeel → wijk → rows, in name order
    by_place: dict[str, dict[str, list[Row]]] = field(default_factory=dict)
    count: int = 0


def overview(
    session: Session,
    viewer: Person | None,
    *,
    district_id: int | None = None,
    neighbourhood_id: int | None = None,
) -> Overview:
    """Every initiative the viewer may see, grouped by place; their own listed first."""
    query = (
        select(
            Initiative,
            WorkflowVersion.name.label("workflow"),
            WorkflowVersion.content_hash,
        )
        .join(Initiative.neighbourhood)
        .join(Neighbourhood.district)
        .join(WorkflowVersion, WorkflowVersion.id == Initiative.workflow_version_id)
        .options(contains_eager(Initiative.neighbourhood).contains_eager(Neighbourhood.district))
        .order_by(District.name, Neighbourhood.name, Initiative.title)
    )
    mine_ids: set[int] = set()
    if viewer is not None:
        mine_ids = set(
            session.scalars(
                select(Membership.initiative_id).where(Membership.person_id == viewer.id)
            )
        )
    if not is_staff(viewer):
        query = query.where(
            or_(Initiative.visibility == "public", Initiative.id.in_(mine_ids or {-1}))
        )
    if district_id:
        query = query.where(Neighbourhood.district_id == district_id)
    if neighbourhood_id:
        query = query.where(Initiative.neighbourhood_id == neighbourhood_id)
    result = Overview()
    found = session.execute(query).all()
    defs = definitions_by_hash(session, {r.content_hash for r in found})
    shown = query.with_only_columns(Initiative.id).order_by(None)
    custom = _own_titles(session, shown) if found else {}
    for found_row in found:
        initiative, digest = found_row.Initiative, found_row.content_hash
        plan = process_plan(digest, defs[digest], initiative.graph_key, custom.get(initiative.id))
        row = Row(
            initiative,
            initiative.neighbourhood.district.name,
            initiative.neighbourhood.name,
            found_row.workflow,
            plan.title(initiative.state).as_dict(),
        )
        result.count += 1
        if initiative.id in mine_ids:
            result.mine.append(row)
        result.by_place.setdefault(row.district, {}).setdefault(row.neighbourhood, []).append(row)
    return result


def _own_titles(session: Session, shown: Select[Any]) -> dict[int, dict[str, str]]:
    """Initiative → the titles of its own stages, for the initiatives ``shown`` selects."""
    rows = session.execute(
        select(
            StagePlan.initiative_id, StagePlan.stage_key, StagePlan.is_custom,
            StagePlan.custom_title,
        ).where(StagePlan.is_custom.is_(True), StagePlan.initiative_id.in_(shown))
    )  # fmt: skip
    by_initiative: dict[int, list[Any]] = {}
    for row in rows:
        by_initiative.setdefault(row.initiative_id, []).append(row)
    return {iid: own_titles(plans) for iid, plans in by_initiative.items()}


def places(session: Session) -> list[District]:
    """Stadsdelen with their wijken, for filters and forms."""
    from sqlalchemy.orm import selectinload

    return list(
        session.scalars(
            select(District).options(selectinload(District.neighbourhoods)).order_by(District.name)
        )
    )
