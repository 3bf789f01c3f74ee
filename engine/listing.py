"""What the public list of initiatives shows: a page at a time, by title, with filters.

A page is one statement whatever the size of the city: the rows of the page (one more, to know
whether a next page exists), chosen by a keyset on (title, id) that the index
``ix_initiatives_title_id`` walks, with each row's place, template version and the residents'
own title of its stage when it stands in one. The stage titles come from the cached template
definitions (one plan per template version, not one per row); no row's graph is parsed.

A page's address names the row it continues after (``after``) or comes before (``before``) by
id: stable while initiatives are added, and nothing to count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, or_, select, true, tuple_
from sqlalchemy.orm import Session, selectinload

from engine.i18n import Msg
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
from engine.workflows.definitions import Text
from engine.workflows.process_plan import process_plan
from engine.workflows.versions import definitions_by_hash

#: how many initiatives a page may show (the visitor chooses one of these)
PAGE_SIZES = (12, 24, 48, 96)
DEFAULT_PAGE_SIZE = 24
#: the longest search text taken (longer input is cut)
MAX_SEARCH = 100

_I = Initiative.__table__.c
_N = Neighbourhood.__table__.c
_D = District.__table__.c
_W = WorkflowVersion.__table__.c
_M = Membership.__table__.c
_SP = StagePlan.__table__.c


@dataclass(frozen=True)
class ListFilters:
    """What the visitor asked for; every field optional."""

    district_id: int | None = None
    neighbourhood_id: int | None = None
    stage: str | None = None
    #: a template's name (the caseload's template filter)
    workflow: str | None = None
    search: str = ""
    #: continue after this initiative (the next page) or before it (the previous page)
    after: int | None = None
    before: int | None = None
    per_page: int = DEFAULT_PAGE_SIZE

    def cleaned(self) -> ListFilters:
        search = " ".join((self.search or "").split())[:MAX_SEARCH]
        return ListFilters(
            district_id=self.district_id,
            neighbourhood_id=self.neighbourhood_id,
            stage=(self.stage or None) and self.stage[:100],
            workflow=(self.workflow or None) and self.workflow[:100],
            search=search,
            after=self.after if self.before is None else None,
            before=self.before,
            per_page=self.per_page if self.per_page in PAGE_SIZES else DEFAULT_PAGE_SIZE,
        )


@dataclass(slots=True)
class Row:
    id: int
    title: str
    district: str
    neighbourhood: str
    workflow: str
    stage_title: Text
    is_paused: bool
    visibility: str
    #: the language the group writes in (its title is in it)
    language: str = "nl"


@dataclass
class ListPage:
    rows: list[Row]
    filters: ListFilters
    #: the ids to continue from for the next and the previous page (None: no such page)
    next_after: int | None = None
    previous_before: int | None = None
    #: the viewer's own initiatives (first page without filters only)
    mine: list[Row] = field(default_factory=list)


def _visible(viewer: Person | None) -> list:
    if is_staff(viewer):
        return []
    public = _I.visibility == "public"
    if viewer is None:
        return [public]
    member = exists().where(_M.initiative_id == _I.id, _M.person_id == viewer.id)
    return [or_(public, member)]


def _custom_title():
    return (
        select(_SP.custom_title)
        .where(_SP.initiative_id == _I.id, _SP.stage_key == _I.state, _SP.is_custom == true())
        .scalar_subquery()
        .label("custom_title")
    )


def _select():
    return (
        select(
            _I.id,
            _I.title,
            _I.state,
            _I.is_paused,
            _I.visibility,
            _I.language,
            _N.name.label("neighbourhood"),
            _D.name.label("district"),
            _W.name.label("workflow"),
            _W.content_hash,
            _custom_title(),
        )  # fmt: skip
        .select_from(Initiative.__table__)
        .join(Neighbourhood.__table__, _N.id == _I.neighbourhood_id)
        .join(District.__table__, _D.id == _N.district_id)
        .join(WorkflowVersion.__table__, _W.id == _I.workflow_version_id)
    )


def _where(filters: ListFilters, viewer: Person | None) -> list:
    where = _visible(viewer)
    if filters.district_id is not None:
        where.append(_N.district_id == filters.district_id)
    if filters.neighbourhood_id is not None:
        where.append(_I.neighbourhood_id == filters.neighbourhood_id)
    if filters.stage:
        where.append(_I.state == filters.stage)
    if filters.workflow:
        where.append(_W.name == filters.workflow)
    if filters.search:
        text = filters.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(_I.title.ilike(f"%{text}%", escape="\\"))
    return where


def _cursor(initiative_id: int, forward: bool):
    """The rows after (forward) or before an initiative in (title, id) order."""
    title = select(_I.title).where(_I.id == initiative_id).scalar_subquery()
    # an unknown id compares with NULL: no rows, and the page says so
    key, mark = tuple_(_I.title, _I.id), tuple_(title, initiative_id)
    return key > mark if forward else key < mark


def _rows(session: Session, raws: Sequence[Any]) -> list[Row]:
    defs = definitions_by_hash(session, {raw.content_hash for raw in raws})
    plans = {digest: process_plan(digest, defn) for digest, defn in defs.items()}
    rows = []
    for raw in raws:
        custom = raw.custom_title
        title = Text(custom, custom) if custom else plans[raw.content_hash].title(raw.state)
        rows.append(
            Row(
                raw.id,
                raw.title,
                raw.district,
                raw.neighbourhood,
                raw.workflow,
                title,
                raw.is_paused,
                raw.visibility,
                raw.language,
            )  # fmt: skip
        )
    return rows


def list_page(session: Session, viewer: Person | None, filters: ListFilters) -> ListPage:
    """One page of the initiatives the viewer may see, by title (one statement, two with the
    viewer's own initiatives on the first page)."""
    filters = filters.cleaned()
    where = _where(filters, viewer)
    backwards = filters.before is not None
    if filters.after is not None:
        where.append(_cursor(filters.after, True))
    elif backwards:
        assert filters.before is not None
        where.append(_cursor(filters.before, False))
    order = [_I.title.desc(), _I.id.desc()] if backwards else [_I.title, _I.id]
    query = _select().where(*where).order_by(*order).limit(filters.per_page + 1)
    raws = list(session.execute(query).all())
    more = len(raws) > filters.per_page
    raws = raws[: filters.per_page]
    if backwards:
        raws.reverse()
    page = ListPage(rows=_rows(session, raws), filters=filters)
    if page.rows:
        last, first = page.rows[-1].id, page.rows[0].id
        page.next_after = last if (more or backwards) else None
        page.previous_before = first if (more if backwards else filters.after) else None
    first_page = filters.after is None and filters.before is None
    unfiltered = not (filters.district_id or filters.neighbourhood_id)
    narrowed = filters.stage or filters.workflow or filters.search
    if viewer is not None and first_page and unfiltered and not narrowed:
        page.mine = own_initiatives(session, viewer, filters.per_page)
    return page


def own_initiatives(session: Session, person: Person, limit: int) -> list[Row]:
    """The initiatives a person is a member of, by title (at most ``limit``)."""
    member = exists().where(_M.initiative_id == _I.id, _M.person_id == person.id)
    query = _select().where(member).order_by(_I.title, _I.id).limit(limit)
    return _rows(session, session.execute(query).all())


def stage_choices(session: Session) -> list[tuple[str, Text | Msg]]:
    """Every template stage, in the usual order of a process, for the stage filter."""
    from engine.coach.stages import load_versions

    return load_versions(session).stages()


def places(session: Session) -> list[District]:
    """Stadsdelen with their wijken, for filters and forms."""
    return list(
        session.scalars(
            select(District).options(selectinload(District.neighbourhoods)).order_by(District.name)
        )
    )
