"""The city overview: initiatives per stage per stadsdeel, time spent in each stage, and how
many support requests the municipality answered by their respond-by date.

Time in a stage is measured from the history: an initiative enters its first stage when it is
created, and every ``transition`` event ends one stay and starts the next. Only finished stays
count (the current one is still running). The database keeps both figures itself at every
change (tables ``stage_counts`` and ``stage_stays``, migration 0025): the initiatives per
neighbourhood, template version and stage, and the stays per stage by their length in tenths
of a day (the precision the page shows); and the support requests answered on time, late,
or still waiting per neighbourhood (table ``answer_tallies``, migration 0031). The overview
reads those few rows, not the city.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Date, bindparam, func, select
from sqlalchemy.orm import Session

from engine.coach.stages import Versions, load_versions
from engine.config import config_of
from engine.i18n import Msg, msg
from engine.models import District, Neighbourhood
from engine.models.city_counts import AnswerTally, StageCount, StageStay
from engine.timeutil import local_date
from engine.workflows.definitions import Text

#: stages the residents inserted themselves are counted together under this key
OWN_STAGE = "__own__"
OWN_STAGE_TITLE = msg("Stages the residents added themselves")

_N = Neighbourhood.__table__.c
_D = District.__table__.c
_K = StageCount.__table__.c
_T = StageStay.__table__.c
_A = AnswerTally.__table__.c


@dataclass(frozen=True)
class StageSpread:
    """Days spent in one stage over all finished stays: median and quartiles."""

    key: str
    title: Text | Msg
    stays: int
    median: float
    q1: float
    q3: float
    minimum: float
    maximum: float


@dataclass
class OnTime:
    """Support requests by whether they were (or are being) answered by their respond-by."""

    answered_on_time: int = 0
    answered_late: int = 0
    waiting_in_time: int = 0
    waiting_late: int = 0

    @property
    def answered(self) -> int:
        return self.answered_on_time + self.answered_late

    @property
    def share_on_time(self) -> float | None:
        """The share answered on time, of those answered (None when none were)."""
        return self.answered_on_time / self.answered if self.answered else None


@dataclass
class CityOverview:
    districts: list[str]
    #: stage key → title, in the usual order of a process (own stages last)
    stages: list[tuple[str, Text | Msg]]
    #: (stage key, district name) → number of initiatives there now
    counts: dict[tuple[str, str], int]
    spreads: list[StageSpread]
    on_time: OnTime
    on_time_by_district: dict[str, OnTime] = field(default_factory=dict)

    def stage_total(self, key: str) -> int:
        return sum(n for (k, _), n in self.counts.items() if k == key)

    def district_total(self, district: str) -> int:
        return sum(n for (_, d), n in self.counts.items() if d == district)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _stage_key(versions: Versions, version_id: int, state: str) -> str:
    return state if versions.plans[version_id].kind(state) == "template" else OWN_STAGE


def _counts(session: Session, versions: Versions) -> dict[tuple[str, str], int]:
    """From the kept counts (a row per neighbourhood, template version and stage)."""
    rows = session.execute(
        select(
            _D.name.label("district"),
            _K.workflow_version_id,
            _K.state,
            func.sum(_K.initiatives).label("initiatives"),
        )
        .select_from(StageCount.__table__)
        .join(Neighbourhood.__table__, _N.id == _K.neighbourhood_id)
        .join(District.__table__, _D.id == _N.district_id)
        .where(_K.initiatives > 0)
        .group_by(_D.name, _K.workflow_version_id, _K.state)
    )
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        if not row.initiatives:
            continue
        key = (_stage_key(versions, row.workflow_version_id, row.state), row.district)
        counts[key] = counts.get(key, 0) + row.initiatives
    return counts


def _stays(session: Session, versions: Versions) -> dict[str, tuple[int, dict[int, float]]]:
    """Per stage: the number of finished stays and the days of the few stays the spread
    needs (by rank, shortest first), from the kept histogram of stays (a row per template
    version, stage and length in tenths of a day: as many rows as lengths, not as stays).

    A stay starts when the initiative is created or moved, and ends at its next move.
    """
    rows = session.execute(
        select(_T.workflow_version_id, _T.stage_key, _T.tenths, _T.stays)
        .where(_T.stays > 0)
        .order_by(_T.tenths)
    )
    by_key: dict[str, list[tuple[int, int]]] = {}
    for row in rows:
        plan = versions.plans.get(row.workflow_version_id)
        template = plan is not None and plan.kind(row.stage_key) == "template"
        key = row.stage_key if template else OWN_STAGE
        by_key.setdefault(key, []).append((row.tenths, row.stays))
    found: dict[str, tuple[int, dict[int, float]]] = {}
    for key, lengths in by_key.items():
        lengths.sort()
        total = sum(n for _, n in lengths)
        last = total - 1
        # the ranks statistics.quantiles(n=4, method="inclusive") reads: j and j + 1
        wanted = sorted(
            {0, last, *((q * last) // 4 + extra for q in (1, 2, 3) for extra in (0, 1))}
        )
        days: dict[int, float] = {}
        seen, at = 0, 0
        for tenths, n in lengths:
            while at < len(wanted) and wanted[at] < seen + n:
                days[wanted[at]] = tenths / 10
                at += 1
            seen += n
        found[key] = (total, days)
    return found


def _spread(key: str, title: Text | Msg, stays: int, days: dict[int, float]) -> StageSpread:
    """Median and quartiles as statistics.quantiles(n=4, method="inclusive") gives them."""
    last = stays - 1
    if stays > 1:
        q1, median, q3 = (
            (days[j] * (4 - delta) + days.get(j + 1, days[j]) * delta) / 4
            for j, delta in (divmod(q * last, 4) for q in (1, 2, 3))
        )
    else:
        q1 = median = q3 = days[0]
    return StageSpread(key, title, stays, median, q1, q3, days[0], days[last])


def _on_time(session: Session, now: datetime) -> tuple[OnTime, dict[str, OnTime]]:
    """From the kept tallies (a few rows per neighbourhood, migration 0031): requests
    answered on time and late, and those waiting, late when their respond-by has passed."""
    today = local_date(now, config_of(session).timezone)
    late = _A.respond_by_date < bindparam("today", type_=Date())
    rows = session.execute(
        select(
            _D.name.label("district"),
            _A.outcome,
            late.label("late"),
            func.sum(_A.requests).label("requests"),
        )
        .select_from(AnswerTally.__table__)
        .join(Neighbourhood.__table__, _N.id == _A.neighbourhood_id)
        .join(District.__table__, _D.id == _N.district_id)
        .where(_A.requests > 0)
        .group_by(_D.name, _A.outcome, late)
        .order_by(_D.name),
        {"today": today},
    )
    total = OnTime()
    by_district: dict[str, OnTime] = {}
    for row in rows:
        if row.outcome == "waiting":
            name = "waiting_late" if row.late else "waiting_in_time"
        else:
            name = "answered_late" if row.outcome == "late" else "answered_on_time"
        part = by_district.setdefault(row.district, OnTime())
        for bucket in (total, part):
            setattr(bucket, name, getattr(bucket, name) + int(row.requests))
    return total, by_district


def city_overview(session: Session, *, now: datetime) -> CityOverview:
    versions = load_versions(session)
    districts = list(session.scalars(select(_D.name).order_by(_D.name)))
    counts = _counts(session, versions)
    stays = _stays(session, versions)
    stages: list[tuple[str, Text | Msg]] = list(versions.stages())
    if any(key == OWN_STAGE for key, _ in counts) or OWN_STAGE in stays:
        stages.append((OWN_STAGE, OWN_STAGE_TITLE))
    titles = dict(stages)
    spreads = [_spread(key, titles[key], *stays[key]) for key, _ in stages if key in stays]
    on_time, by_district = _on_time(session, now)
    return CityOverview(
        districts=districts,
        stages=stages,
        counts=counts,
        spreads=spreads,
        on_time=on_time,
        on_time_by_district=by_district,
    )
