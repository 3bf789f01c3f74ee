"""The caseload's two statements: a page of rows, and the count of every row the filters take.

The page statement reads each initiative with its place, template, live concern and coaches,
and correlated subqueries (open steps past due, requests waiting and their earliest respond-by,
the longest run of missed maintenance turns: each defined in :mod:`engine.coach.health`; the
residents' own stage title) that each read a few index entries of that initiative only.
ORDER BY an indexed column with LIMIT keeps the work to the page: the default order (longest
without activity first) walks the index on ``last_activity_dt``, the stalled filter the one on
(``is_paused``, ``last_activity_dt``), the "overdue" order (the longest overdue first) the one
on the kept ``earliest_open_due`` (the earliest due date of the open steps, kept by the
database at every change of a step: "overdue today" needs no stored flag that time outdates),
the order by place the one on the kept names of the stadsdeel and the wijk (kept by the
database at every move and rename: the rows are chosen without a join to order by).
Statements are built once per shape of the filters (which filters are set, the sort) and
reused with new parameters.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import (
    Date,
    DateTime,
    FromClause,
    Integer,
    ScalarSelect,
    String,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import Label
from sqlalchemy.sql.functions import FunctionElement

from engine.coach.health import count_overdue_steps, missed_streak, status_where
from engine.models import (
    CoachAssignment,
    Concern,
    District,
    Initiative,
    Neighbourhood,
    Person,
    StagePlan,
    Step,
    SupportRequest,
    WorkflowVersion,
)
from engine.models.initiatives import NO_RESPOND_BY

#: joins the names of a row's coaches: the unit separator, a character no one types in a name
COACH_SEPARATOR = "\x1f"

_I = Initiative.__table__.c
_N = Neighbourhood.__table__.c
_D = District.__table__.c
_W = WorkflowVersion.__table__.c
_S = Step.__table__.c
_R = SupportRequest.__table__.c
_C = Concern.__table__
_P = Person.__table__
_SP = StagePlan.__table__.c
_A = CoachAssignment.__table__.c
_RAISER = _P.alias("raiser")
_COACH = _P.alias("coach")

_OVERDUE = count_overdue_steps(_I, bindparam("today"))
#: the waiting requests and their earliest respond-by, as the database keeps them on the
#: initiative (triggers on support_requests, migration 0025; the twins of
#: health.count_waiting_requests and health.earliest_respond_by): the sorts walk an index
_WAITING = _I.waiting_requests
_RESPOND_BY_KEPT = _I.earliest_respond_by
_RESPOND_BY = func.nullif(_RESPOND_BY_KEPT, literal_column(f"'{NO_RESPOND_BY.isoformat()}'"))
_STREAK = missed_streak(_I)
_CUSTOM_TITLE = (
    select(_SP.custom_title)
    .where(_SP.initiative_id == _I.id, _SP.stage_key == _I.state, _SP.is_custom == true())
    .scalar_subquery()
    .label("custom_title")
)


class _joined_names(FunctionElement):
    """Names joined by :data:`COACH_SEPARATOR`, with the separator written into the SQL.

    (``func.aggregate_strings`` passes its separator as a literal rendered anew on every
    execution; this renders once and is cached with the statement.)
    """

    type = String()
    inherit_cache = True


@compiles(_joined_names, "sqlite")
def _joined_names_sqlite(element, compiler, **kw):
    return f"group_concat({compiler.process(element.clauses, **kw)}, char(31))"


@compiles(_joined_names, "postgresql")
def _joined_names_postgresql(element, compiler, **kw):
    return f"string_agg({compiler.process(element.clauses, **kw)}, chr(31))"


def _coach_names(where) -> ScalarSelect[str]:
    return (
        select(_joined_names(_COACH.c.name))
        .select_from(CoachAssignment.__table__.join(_COACH, _COACH.c.id == _A.coach_id))
        .where(where)
        .scalar_subquery()
    )


#: the coaches of the initiative itself, and of its whole stadsdeel (each by its own index)
_COACHES = _coach_names(_A.initiative_id == _I.id).label("coaches")
_DISTRICT_COACHES = _coach_names(_A.district_id == _N.district_id).label("district_coaches")

#: sort key → (expression, whether "ascending" means the expression descending)
SORTS = {
    "title": (_I.title, False),
    # the stadsdeel's name, then the wijk's (see _keys), as the database keeps them on the
    # initiative (triggers, migration 0034): an index walk, no join to order by
    "place": (_I.place_district, False),
    # each of these walks an index of its own (migrations 0017, 0025)
    "stage": (_I.state, False),
    "days_in_stage": (_I.stage_entered_dt, True),
    "last_activity": (_I.last_activity_dt, False),
    # the longest overdue first (descending): by the kept earliest open due date, an index walk
    "overdue": (_I.earliest_open_due, True),
    "waiting": (_WAITING, False),
    # the kept date, "none waiting" stored as the last of all dates: ascending, an index walk
    "respond_by": (_RESPOND_BY_KEPT, False),
}


def _where(shape: tuple, i=_I, n=_N) -> list:
    """The filters as conditions on initiatives ``i`` and their neighbourhoods ``n``."""
    one, district, hood, workflow, stage, status, coach, search, _, _, finals = shape
    where = []
    if one:
        where.append(i.id == bindparam("initiative_id"))
    if district:
        where.append(n.district_id == bindparam("district_id"))
    if hood:
        where.append(i.neighbourhood_id == bindparam("neighbourhood_id"))
    if workflow:
        versions = select(_W.id).where(_W.name == bindparam("workflow")).correlate(None)
        where.append(i.workflow_version_id.in_(versions.scalar_subquery()))
    if stage:
        where.append(i.state == bindparam("stage"))
    if status is not None:
        where += status_where(i, status, bindparam("cutoff"), finals)
    if coach:
        mine = _A.coach_id == bindparam("coach_id")
        where.append(
            or_(
                exists().where(mine, _A.initiative_id == i.id),
                exists().where(mine, _A.district_id == n.district_id),
            )
        )
    if search:
        where.append(i.title.ilike(bindparam("search"), escape="\\"))
    return where


def _keys(sort: str) -> list:
    """What a sort orders by, before the id that breaks ties."""
    expr, _ = SORTS[sort]
    return [expr, _I.place_neighbourhood] if sort == "place" else [expr]


def _ordered(columns: list, sort: str, direction: str) -> list:
    descending = (direction == "desc") != SORTS[sort][1]
    order = [column.desc() if descending else column.asc() for column in columns]
    if sort == "respond_by" and descending:
        # the latest first, those with no waiting request still last (this order sorts)
        none = columns[0] == literal_column(f"'{NO_RESPOND_BY.isoformat()}'")
        order.insert(0, none.asc())
    return order


def _plain_time(column):
    """A UTC time column read with the plain DateTime type: the row maker marks SQLite's naive
    values as UTC itself, as UTCDateTime would, without a Python call per value (a page reads
    two per row; this is a fifth of the engine's own time on a page)."""
    return type_coerce(column, DateTime(timezone=True))


class PageRow(NamedTuple):
    """One row of a caseload statement, read by name: its fields name the statement's columns
    (in this order), so a new column is a new field here and a line in :func:`_columns`."""

    id: int
    title: str
    state: str
    workflow_version_id: int
    is_paused: bool
    visibility: str
    stage_entered_dt: datetime
    last_activity_dt: datetime
    neighbourhood: str
    district_id: int
    district: str
    workflow: str
    content_hash: str
    overdue_steps: int
    waiting: int
    respond_by: date | None
    custom_title: str | None
    concern: str | None
    raised_by: str | None
    coaches: str | None
    district_coaches: str | None
    missed_streak: int | None
    #: the language the group writes in
    language: str
    #: every row the filters take (up to COUNT_CAP + 1)
    total: int


def _columns(shape: tuple) -> list:
    """The statement's columns, labelled and in the order of :class:`PageRow`'s fields."""
    columns = {
        "id": _I.id,
        "title": _I.title,
        "state": _I.state,
        "workflow_version_id": _I.workflow_version_id,
        "is_paused": _I.is_paused,
        "visibility": _I.visibility,
        "stage_entered_dt": _plain_time(_I.stage_entered_dt),
        "last_activity_dt": _plain_time(_I.last_activity_dt),
        "neighbourhood": _N.name,
        "district_id": _D.id,
        "district": _D.name,
        "workflow": _W.name,
        "content_hash": _W.content_hash,
        "overdue_steps": _OVERDUE,
        "waiting": _WAITING,
        "respond_by": type_coerce(_RESPOND_BY, Date()),
        "custom_title": _CUSTOM_TITLE,
        "concern": _C.c.reason,
        "raised_by": _RAISER.c.name,
        "coaches": _COACHES,
        "district_coaches": _DISTRICT_COACHES,
        "missed_streak": _STREAK,
        "language": _I.language,
        "total": _total(shape),
    }
    return [_named(columns[name], name) for name in PageRow._fields]


def _named(column, name: str):
    # an expression labelled already (a sort key too) keeps its label: ORDER BY refers to it
    return column if isinstance(column, Label) and column.name == name else column.label(name)


def _with_rows(query):
    """Join what a row shows besides the initiative and its place: template, concern."""
    return (
        query.join(WorkflowVersion.__table__, _W.id == _I.workflow_version_id)
        .outerjoin(_C, and_(_C.c.initiative_id == _I.id, _C.c.cleared_dt.is_(None)))
        .outerjoin(_RAISER, _RAISER.c.id == _C.c.raised_by_id)
    )


def _places():
    return Initiative.__table__.join(Neighbourhood.__table__, _N.id == _I.neighbourhood_id).join(
        District.__table__, _D.id == _N.district_id
    )


def _filtered(shape: tuple) -> FromClause:
    """Initiatives, with their wijk only when a filter looks at it (the district and coach
    filters): choosing and counting rows joins nothing else, every sort key is the
    initiative's own."""
    if shape[1] or shape[6]:
        return Initiative.__table__.join(Neighbourhood.__table__, _N.id == _I.neighbourhood_id)
    return Initiative.__table__


_PLACE_D = District.__table__.alias("place_d")
_PLACE_N = Neighbourhood.__table__.alias("place_n")


def _choosing(shape: tuple) -> tuple[list, FromClause]:
    """The conditions and the FROM that choose a page's rows.

    Sorted by place, the district and wijk filters ask for the kept names of that stadsdeel
    (and wijk) instead of the ids, the same rows (the names are unique, the database keeps
    them): the index walk starts at them and stops at the page. By the ids it walked every
    stadsdeel sorted before the one asked for (173 ms at 100,000 initiatives for the last).
    """
    if shape[8] != "place" or not (shape[1] or shape[2]):
        return _where(shape), _filtered(shape)
    by_ids = (shape[0], False, False, *shape[3:])
    where = _where(by_ids)
    if shape[1]:
        district = select(_PLACE_D.c.name).where(_PLACE_D.c.id == bindparam("district_id"))
        where.append(_I.place_district == district.scalar_subquery())
    if shape[2]:
        wijk = _PLACE_N.c.id == bindparam("neighbourhood_id")
        of_wijk = _PLACE_D.join(_PLACE_N, _PLACE_N.c.district_id == _PLACE_D.c.id)
        district = select(_PLACE_D.c.name).select_from(of_wijk).where(wijk)
        hood = select(_PLACE_N.c.name).where(wijk)
        where.append(_I.place_district == district.scalar_subquery())
        where.append(_I.place_neighbourhood == hood.scalar_subquery())
    return where, _filtered(by_ids)


@lru_cache(maxsize=256)
def statements(shape: tuple, paged: bool = True, dialect: str = "sqlite"):
    """The page (or, unpaged, every row) statement and a count statement for a shape.

    Each row of the page carries the count of every row the filters take; the count statement
    is for a page past the end, which has no rows to carry it.

    ``shape`` is (one initiative, district, neighbourhood, template, stage: whether set;
    status; coach, search: whether set; sort; direction; final stages per template version).

    A page first chooses its rows by the sort key alone (LIMIT and OFFSET there), then computes
    what each row shows for those rows only: a deep page does not compute the skipped rows.
    PostgreSQL gets LIMIT and OFFSET as literals, so that it plans for the page it is asked
    (with parameters it plans for an unknown number of rows and sorts everything).
    """
    where = _where(shape)
    sort, direction = shape[8], shape[9]
    columns = _columns(shape)
    if not paged:
        page = (
            _with_rows(select(*columns).select_from(_places()))
            .where(*where)
            .order_by(*_ordered([*_keys(sort), _I.id], sort, direction))
        )
    else:
        literal = dialect == "postgresql"
        keys = [key.label(f"k{i}") for i, key in enumerate(_keys(sort))]
        choose_where, choose_from = _choosing(shape)
        chosen = (
            select(_I.id.label("id"), *keys)
            .select_from(choose_from)
            .where(*choose_where)
            .order_by(*_ordered([*keys, _I.id], sort, direction))
            .limit(bindparam("limit", type_=Integer(), literal_execute=literal))
            .offset(bindparam("offset", type_=Integer(), literal_execute=literal))
            .subquery("chosen")
        )
        inner_keys = [chosen.c[f"k{i}"] for i in range(len(keys))]
        page = _with_rows(
            select(*columns)
            .select_from(chosen)
            .join(Initiative.__table__, _I.id == chosen.c.id)
            .join(Neighbourhood.__table__, _N.id == _I.neighbourhood_id)
            .join(District.__table__, _D.id == _N.district_id)
        ).order_by(*_ordered([*inner_keys, chosen.c.id], sort, direction))
    counted = _filtered(shape)
    return page, _capped_count(select(literal_column("1")).select_from(counted).where(*where))


_COUNTED = Initiative.__table__.alias("counted")
_COUNTED_PLACE = Neighbourhood.__table__.alias("counted_place")


def _total(shape: tuple):
    """Every row the filters take, counted once per statement (it correlates with nothing)."""
    counted: FromClause = _COUNTED
    if shape[1] or shape[6]:
        counted = counted.join(_COUNTED_PLACE, _COUNTED_PLACE.c.id == _COUNTED.c.neighbourhood_id)
    where = _where(shape, _COUNTED.c, _COUNTED_PLACE.c)
    rows = select(literal_column("1", Integer())).select_from(counted).where(*where)
    return _capped_count(rows).scalar_subquery().label("total")


#: the caseload counts exactly up to this many rows and says "more than" beyond: an exact
#: count(*) reads every row (PostgreSQL keeps no row count), so an uncapped count would make a
#: national caseload's first page grow with the country
COUNT_CAP = 10_000


def _capped_count(rows):
    """Count the rows, stopping one past COUNT_CAP."""
    return select(func.count()).select_from(rows.limit(COUNT_CAP + 1).subquery("capped"))
