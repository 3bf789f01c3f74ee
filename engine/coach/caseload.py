"""The coach's caseload: every initiative with its stage, pace and health, a page at a time.

One statement makes a page, whatever its size (see :mod:`engine.coach.caseload_sql`): the rows
with everything a row shows, each carrying the count of every row the filters take. Another
reads the template versions only when the status filter needs their final stages, or when a
page shows a template version this process has not seen before; a page past the end counts
separately and shows the last page instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from engine.coach.caseload_sql import COACH_SEPARATOR, COUNT_CAP, SORTS, PageRow, statements
from engine.coach.health import (
    STATUSES,
    Signal,
    health_signals,
    needs_signals,
    stalled_before,
    status_of,
)
from engine.coach.stages import load_versions
from engine.config import config_of
from engine.timeutil import local_date, zone
from engine.workflows.definitions import Text
from engine.workflows.process_plan import ProcessPlan, process_plan
from engine.workflows.versions import definitions_by_hash

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
DIRECTIONS = ("asc", "desc")


@dataclass(frozen=True)
class Filters:
    """What the coach asked to see; every field optional. ``page`` counts from 1."""

    district_id: int | None = None
    neighbourhood_id: int | None = None
    workflow: str | None = None
    stage: str | None = None
    status: str | None = None
    coach_id: int | None = None
    search: str = ""
    sort: str = "last_activity"
    direction: str = "asc"
    page: int = 1
    per_page: int = DEFAULT_PAGE_SIZE
    #: one initiative only (the coach's view of an initiative uses the same signals)
    initiative_id: int | None = None

    def cleaned(self) -> Filters:
        """The same filters with unknown values dropped and numbers in range."""
        return replace(
            self,
            status=self.status if self.status in STATUSES else None,
            search=" ".join((self.search or "").split())[:200],
            sort=self.sort if self.sort in SORTS else "last_activity",
            direction=self.direction if self.direction in DIRECTIONS else "asc",
            page=max(1, self.page or 1),
            per_page=self.per_page if self.per_page in PAGE_SIZES else DEFAULT_PAGE_SIZE,
        )


@dataclass(slots=True)
class CaseloadRow:
    id: int
    title: str
    district_id: int
    district: str
    neighbourhood: str
    workflow: str
    stage_key: str
    stage_title: Text
    status: str
    visibility: str
    stage_entered_dt: datetime
    days_in_stage: int
    last_activity_dt: datetime
    overdue_steps: int
    waiting_requests: int
    respond_by: date | None
    concern_reason: str | None
    concern_by: str | None
    signals: list[Signal]
    coaches: list[str]
    #: the language of the title (the group's)
    language: str = "nl"


@dataclass
class Caseload:
    rows: list[CaseloadRow]
    total: int
    filters: Filters

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, COUNT_CAP) // self.filters.per_page))

    @property
    def capped(self) -> bool:
        """More rows than the caseload counts exactly (shown as "more than 10,000")."""
        return self.total > COUNT_CAP


def _shape(session: Session, filters: Filters) -> tuple:
    finals = tuple(load_versions(session).final_pairs()) if filters.status else ()
    return (
        filters.initiative_id is not None,
        filters.district_id is not None,
        filters.neighbourhood_id is not None,
        filters.workflow is not None,
        filters.stage is not None,
        filters.status,
        filters.coach_id is not None,
        bool(filters.search),
        filters.sort,
        filters.direction,
        finals,
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_PARAMS = {
    "initiative_id": "initiative_id",
    "district_id": "district_id",
    "neighbourhood_id": "neighbourhood_id",
    "workflow": "workflow",
    "stage": "stage",
    "coach_id": "coach_id",
}


def _params(filters: Filters, now: datetime, stalled_days: int, tz: str) -> dict:
    params: dict = {"today": local_date(now, tz)}
    for name in _PARAMS:
        value = getattr(filters, name)
        if value is not None:
            params[name] = value
    if filters.status in ("active", "stalled"):
        params["cutoff"] = stalled_before(now, stalled_days)
    if filters.search:
        params["search"] = f"%{_escape_like(filters.search)}%"
    return params


class _RowMaker:
    """Turns result rows into caseload rows with their status and health signals.

    This runs for every row of every page, so it works with what it has: the city's time zone
    resolved once, and no call for the health of a row that has nothing to signal.
    """

    def __init__(self, session: Session, now: datetime, stalled_days: int) -> None:
        self.session, self.now = session, now
        self.zone = zone(config_of(session).timezone)
        self.today = now.astimezone(self.zone).date()
        self.cutoff = stalled_before(now, stalled_days)

    def rows(self, raws) -> list[CaseloadRow]:
        # tuple.__new__, not PageRow._make: the same named row without _make's length check
        # (the statement's columns are PageRow's fields by construction); ~0.2 µs a row
        named = [tuple.__new__(PageRow, raw) for raw in raws]
        defs = definitions_by_hash(self.session, {raw.content_hash for raw in named})
        plans = {digest: process_plan(digest, defn) for digest, defn in defs.items()}
        return [self.row(raw, plans[raw.content_hash]) for raw in named]

    def row(self, raw: PageRow, plan: ProcessPlan) -> CaseloadRow:
        entered, last, state = raw.stage_entered_dt, raw.last_activity_dt, raw.state
        if entered.tzinfo is None:  # SQLite: times are stored in UTC (see caseload_sql)
            entered, last = entered.replace(tzinfo=UTC), last.replace(tzinfo=UTC)
        coaches, district_coaches = raw.coaches, raw.district_coaches
        if district_coaches:
            coaches = (
                f"{coaches}{COACH_SEPARATOR}{district_coaches}" if coaches else district_coaches
            )
        status = status_of(plan.is_final(state), raw.is_paused, last, self.cutoff)
        overdue, respond_by, concern = raw.overdue_steps, raw.respond_by, raw.concern
        signals = []
        if needs_signals(status, overdue, respond_by, concern, raw.missed_streak):
            signals = health_signals(
                status=status, last_activity_dt=last, overdue_steps=overdue,
                respond_by=respond_by, concern_reason=concern, concern_by=raw.raised_by,
                now=self.now, today=self.today,
                idle_days=(self.today - last.astimezone(self.zone).date()).days,
                streak=raw.missed_streak,
            )  # fmt: skip
        custom = raw.custom_title
        # a plan with the residents' own title only for the rows that have one
        title_text = (plan.with_own_titles({state: custom}) if custom else plan).title(state)
        return CaseloadRow(
            raw.id, raw.title, raw.district_id, raw.district, raw.neighbourhood, raw.workflow,
            state, title_text, status, raw.visibility, entered,
            (self.today - entered.astimezone(self.zone).date()).days, last, overdue, raw.waiting,
            respond_by, concern, raw.raised_by, signals,
            sorted(set(coaches.split(COACH_SEPARATOR))) if coaches else [], raw.language,
        )  # fmt: skip


def caseload(
    session: Session,
    filters: Filters,
    *,
    now: datetime,
    stalled_days: int | None = None,
) -> Caseload:
    """One page of the caseload with the total count, health signals and coaches.

    ``stalled_days`` defaults to the configured ``VERBINDING_STALLED_DAYS``.
    """
    config = config_of(session)
    stalled_days = config.stalled_days if stalled_days is None else stalled_days
    filters = filters.cleaned()
    connection = session.connection()
    page_stmt, count_stmt = statements(_shape(session, filters), dialect=connection.dialect.name)
    params = _params(filters, now, stalled_days, config.timezone)
    params["limit"] = filters.per_page
    params["offset"] = (filters.page - 1) * filters.per_page
    raws = connection.execute(page_stmt, params).all()
    if raws:
        total = raws[0].total
    elif filters.page == 1:
        total = 0
    else:  # past the last page: show the last one
        total = connection.execute(count_stmt, params).scalar_one()
        filters = replace(filters, page=max(1, -(-min(total, COUNT_CAP) // filters.per_page)))
        params["offset"] = (filters.page - 1) * filters.per_page
        raws = connection.execute(page_stmt, params).all() if total else []
    rows = _RowMaker(session, now, stalled_days).rows(raws)
    return Caseload(rows=rows, total=total, filters=filters)


def caseload_row(
    session: Session, initiative_id: int, *, now: datetime, stalled_days: int | None = None
) -> CaseloadRow | None:
    """One initiative as the caseload shows it, with its health signals."""
    found = caseload(
        session, Filters(initiative_id=initiative_id), now=now, stalled_days=stalled_days
    )
    return found.rows[0] if found.rows else None


def iter_caseload(
    session: Session,
    filters: Filters,
    *,
    now: datetime,
    stalled_days: int | None = None,
    chunk: int = 500,
) -> Iterator[CaseloadRow]:
    """Every row the filters select (all pages), in the chosen order, a chunk at a time."""
    config = config_of(session)
    stalled_days = config.stalled_days if stalled_days is None else stalled_days
    filters = filters.cleaned()
    full_stmt, _ = statements(_shape(session, filters), paged=False)
    params = _params(filters, now, stalled_days, config.timezone)
    maker = _RowMaker(session, now, stalled_days)
    # per statement: Connection.execution_options() would change the session's connection
    result = session.connection().execute(full_stmt, params, execution_options={"yield_per": chunk})
    for part in result.partitions(chunk):
        yield from maker.rows(part)
