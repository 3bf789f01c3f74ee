"""The planner turns deadlines into reminder rows and calendar entries, in the caller's transaction.

Operations call :func:`plan_for` after they change a date, a step or the pace, so the reminders
change in the same transaction as what caused them: a moved date moves its reminders (new rows
for the new date, the old ones cancelled), a removed or finished deadline cancels them, and a
paused initiative has none pending. Rows are never deleted: a key (deadline, date, days before,
person) that was sent once is never sent again.

Planning runs beside the dispatcher and beside other planners (an operation's, another
scheduler's), so every write is conditional: a new key is inserted only if no one stored it
meanwhile (``ON CONFLICT DO NOTHING``), and a cancel, revive or retitle only changes a row that
is still in the state it was decided on. The sweep's reconciliation of all initiatives also
takes a database lock (engine.reminders.steps).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, literal_column, select, update
from sqlalchemy.orm import Session

from engine.config import Config, config_of
from engine.db import insert_new
from engine.metrics import REMINDERS_PLANNED
from engine.models import Initiative
from engine.models.reminders import CalendarEntry, Reminder
from engine.reminders.rules import kind_of, local_moment, remind_on
from engine.reminders.sources import SOURCES, Deadline, collect_safely
from engine.timeutil import local_date

log = logging.getLogger(__name__)

#: the sources that follow the process plan (steps and stage target dates)
PLAN_SOURCES = ("steps", "stages")
CHUNK = 500


@dataclass
class PlanReport:
    added: int = 0
    revived: int = 0
    changed: int = 0
    cancelled: int = 0
    calendar: int = 0

    def __add__(self, other: PlanReport) -> PlanReport:
        return PlanReport(
            self.added + other.added,
            self.revived + other.revived,
            self.changed + other.changed,
            self.cancelled + other.cancelled,
            self.calendar + other.calendar,
        )

    def __str__(self) -> str:
        return (
            f"{self.added} planned, {self.revived} revived, {self.changed} changed, "
            f"{self.cancelled} cancelled, {self.calendar} calendar changes"
        )


def plan_for(
    session: Session, initiative_id: int, now: datetime, *, sources: Iterable[str] | None = None
) -> PlanReport:
    """Bring one initiative's reminders and calendar entries in line with its deadlines."""
    return plan(session, [initiative_id], now, sources=sources)


def plan(
    session: Session,
    initiative_ids: Collection[int] | None,
    now: datetime,
    *,
    sources: Iterable[str] | None = None,
) -> PlanReport:
    """Plan the given initiatives (``None``: all) for the named sources (``None``: all)."""
    names = list(sources) if sources is not None else list(SOURCES)
    session.flush()
    deadlines, names = collect_safely(session, initiative_ids, now, names)
    paused = _paused(session, initiative_ids, deadlines)
    report = PlanReport()
    sync_calendar(session, deadlines, _scope(_C.c, initiative_ids, names), now, report)
    where = _scope(_R.c, initiative_ids, names)
    sync_reminders(session, deadlines, where, initiative_ids is None, paused, now, report)
    if report.added or report.revived or report.changed or report.cancelled or report.calendar:
        log.info("reminders planned for %s (%s): %s", initiative_ids or "all", names, report)
    return report


def sweep_sources(
    session: Session, now: datetime, initiative_ids: Collection[int] | None = None
) -> PlanReport:
    """Reconcile every source registered with ``swept=True`` over the given initiatives
    (``None``: all of them at once; the scheduler goes batch by batch, engine.reminders.steps)."""
    report = PlanReport()
    if initiative_ids is not None and not initiative_ids:
        return report
    for source in list(SOURCES.values()):
        if source.swept:
            report += plan(session, initiative_ids, now, sources=[source.name])
    return report


# -- internals -------------------------------------------------------------------------------


def _paused(
    session: Session, initiative_ids: Collection[int] | None, deadlines: list[Deadline]
) -> set[int]:
    ids = set(initiative_ids) if initiative_ids is not None else set()
    ids |= {d.initiative_id for d in deadlines if d.initiative_id is not None}
    if not ids:
        return set()
    query = select(Initiative.id).where(Initiative.is_paused.is_(True))
    found: set[int] = set()
    for chunk in _chunks(sorted(ids)):
        found.update(session.scalars(query.where(Initiative.id.in_(chunk))))
    return found


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _scope(columns, initiative_ids: Collection[int] | None, names: list[str]) -> list:
    where = [columns.source.in_(names)]
    if initiative_ids is not None:
        where.append(columns.initiative_id.in_(list(initiative_ids)))
    return where


def _wanted(
    deadlines: list[Deadline], paused: set[int], now: datetime, config: Config, *, stale: bool
) -> dict[str, tuple[Deadline, int, int, datetime, bool, dict[str, str]]]:
    """key → (deadline, days before, person, moment, may be made now, titles) for every
    reminder that should exist. One whose moment has passed is kept if it is still waiting to be
    sent (the scheduler may have been away), but not made anew: those keys are only worked out
    when ``stale`` says some reminder is waiting at all. Reminders go out at the configured hour
    in the configured time zone."""
    tz, hour = config.timezone, config.reminder_hour
    today = local_date(now, tz)
    wanted: dict[str, tuple[Deadline, int, int, datetime, bool, dict[str, str]]] = {}
    for d in deadlines:
        if d.initiative_id in paused:
            continue
        titles, date_text, people = d.titles(), d.date.isoformat(), dict.fromkeys(d.person_ids)
        for days in d.days if d.days is not None else kind_of(d.kind).days:
            day = remind_on(d.date, days)
            fresh = day >= today or d.catch_up
            if not fresh and not stale:
                continue
            moment = local_moment(day, hour, tz)
            for pid in people:
                wanted[f"{d.key}:{date_text}:{days}:{pid}"] = (d, days, pid, moment, fresh, titles)
    return wanted


_R = Reminder.__table__
_C = CalendarEntry.__table__
# Each change names the state it was decided on: a dispatcher (or another planner) may have
# moved the row on meanwhile, and a reminder it sent must stay sent.
_REVIVE = (
    update(_R)
    .where(_R.c.id == bindparam("rid"), _R.c.status == literal_column("'cancelled'"))
    .values(
        status="pending",
        due_dt=bindparam("due"),
        handled_dt=None,
        title=bindparam("t"),
        link=bindparam("l"),
    )
)
_RETITLE = (
    update(_R)
    .where(_R.c.id == bindparam("rid"), _R.c.status == literal_column("'pending'"))
    .values(title=bindparam("t"), link=bindparam("l"))
)
_CANCEL = (
    update(_R)
    .where(_R.c.id == bindparam("rid"), _R.c.status == literal_column("'pending'"))
    .values(status="cancelled", handled_dt=bindparam("h"))
)
# a calendar entry changes from the sequence it was read at, so two changes are two sequences
_ENTRY = (
    update(_C)
    .where(_C.c.id == bindparam("eid"), _C.c.sequence == bindparam("s0"))
    .values(
        entry_date=bindparam("d"),
        title=bindparam("t"),
        link=bindparam("l"),
        is_cancelled=bindparam("x"),
        start_dt=bindparam("sd"),
        end_dt=bindparam("ed"),
        location=bindparam("loc"),
        sequence=bindparam("s"),
        updated_dt=bindparam("u"),
    )
)


def _execute_many(session: Session, statement, rows: list[dict]) -> None:
    if rows:
        session.connection().execute(statement, rows)


def _insert_many(session: Session, table, rows: list[dict]) -> None:
    """Insert new keys; one another planner stored meanwhile is kept as it stored it."""
    insert_new(session, table, rows, "key")


def expire_loaded(session: Session, *models) -> None:
    """Forget loaded copies of rows changed by Core statements, so they are read again."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, models):
            session.expire(obj)


REMINDER_COLUMNS = (_R.c.id, _R.c.key, _R.c.status, _R.c.title, _R.c.link)
CALENDAR_COLUMNS = (_C.c.id, _C.c.key, _C.c.is_cancelled, _C.c.entry_date, _C.c.title, _C.c.link,
                    _C.c.sequence, _C.c.start_dt, _C.c.end_dt, _C.c.location)  # fmt: skip


def sync_reminders(
    session, deadlines, where, everywhere, paused, now, report, *, read=None, params=None,
    existing=None,
) -> None:  # fmt: skip
    """Make the reminder rows ``where`` selects match ``deadlines`` (``everywhere``: all
    initiatives, read pending rows first and the others only where a key is wanted again;
    ``read``: a ready SELECT of :data:`REMINDER_COLUMNS` with its ``params`` instead;
    ``existing``: those rows read already, by key)."""
    columns = REMINDER_COLUMNS
    if not everywhere:
        # a few initiatives: all their rows at once (sent and cancelled ones keep their keys)
        if existing is None:
            scope = read if read is not None else select(*columns).where(*where)
            existing = {r.key: r for r in session.connection().execute(scope, params or {})}
        stale = any(r.status == "pending" for r in existing.values())
        wanted = _wanted(deadlines, paused, now, config_of(session), stale=stale)
    else:
        # everywhere: the pending rows, and the others only where a key is wanted again
        scope = read if read is not None else select(*columns).where(*where)
        existing = {r.key: r for r in session.execute(scope.where(_R.c.status == "pending"))}
        wanted = _wanted(deadlines, paused, now, config_of(session), stale=bool(existing))
        unknown = sorted(k for k, w in wanted.items() if k not in existing and w[4])
        for chunk in _chunks(unknown):
            for r in session.execute(select(*columns).where(_R.c.key.in_(chunk))):
                existing[r.key] = r
    rows, revive, retitle, cancel = [], [], [], []
    for key, (d, days, pid, moment, fresh, titles) in wanted.items():
        row = existing.get(key)
        if row is None:
            if fresh:
                rows.append(
                    {
                        "key": key,
                        "source": d.source,
                        "deadline_key": d.key,
                        "initiative_id": d.initiative_id,
                        "person_id": pid,
                        "kind": d.kind,
                        "offset_days": days,
                        "deadline_date": d.date,
                        "title": titles,
                        "link": d.link,
                        "due_dt": moment,
                        "status": "pending",
                        "created_dt": now,
                    }
                )
        elif row.status == "cancelled" and fresh:
            revive.append({"rid": row.id, "due": moment, "t": titles, "l": d.link})
        elif row.status == "pending" and (row.title != titles or row.link != d.link):
            retitle.append({"rid": row.id, "t": titles, "l": d.link})
    for key, row in existing.items():
        if row.status == "pending" and key not in wanted:
            cancel.append({"rid": row.id, "h": now})
    # Core executemany: several times faster than the ORM's unit of work for many rows
    _insert_many(session, _R, rows)
    _execute_many(session, _REVIVE, revive)
    _execute_many(session, _RETITLE, retitle)
    _execute_many(session, _CANCEL, cancel)
    report.added += len(rows)
    report.revived += len(revive)
    if rows or revive:
        REMINDERS_PLANNED.inc(len(rows) + len(revive))
    report.changed += len(retitle)
    report.cancelled += len(cancel)
    if revive or retitle or cancel:
        expire_loaded(session, Reminder)


def _moved(entry, d: Deadline) -> bool:
    """A meeting's times or place changed (aware datetimes compare by the moment)."""
    return (entry.start_dt, entry.end_dt, entry.location) != (d.start_dt, d.end_dt, d.location)


def sync_calendar(
    session, deadlines, where, now, report, *, read=None, params=None, existing=None
) -> None:
    """Make the calendar entries ``where`` selects match ``deadlines`` (``read``: a ready
    SELECT of :data:`CALENDAR_COLUMNS` with its ``params`` instead; ``existing``: those
    entries read already, by key)."""
    wanted = {d.key: d for d in deadlines if d.in_calendar}
    if existing is None:
        query = read if read is not None else select(*CALENDAR_COLUMNS).where(*where)
        existing = {e.key: e for e in session.connection().execute(query, params or {})}
    rows, changes = [], []
    for key, d in wanted.items():
        entry, titles = existing.get(key), d.titles()
        if entry is None:
            rows.append(
                {
                    "key": key,
                    "source": d.source,
                    "initiative_id": d.initiative_id,
                    "kind": d.kind,
                    "title": titles,
                    "link": d.link,
                    "entry_date": d.date,
                    "start_dt": d.start_dt,
                    "end_dt": d.end_dt,
                    "location": d.location,
                    "sequence": 0,
                    "is_cancelled": False,
                    "created_dt": now,
                    "updated_dt": now,
                }
            )
        elif (
            entry.is_cancelled
            or entry.entry_date != d.date
            or entry.title != titles
            or entry.link != d.link
            or _moved(entry, d)
        ):
            changes.append({"eid": entry.id, "d": d.date, "t": titles, "l": d.link, "x": False,
                            "sd": d.start_dt, "ed": d.end_dt, "loc": d.location,
                            "s0": entry.sequence, "s": entry.sequence + 1, "u": now})  # fmt: skip
    for key, entry in existing.items():
        if key not in wanted and not entry.is_cancelled:
            changes.append(
                {"eid": entry.id, "d": entry.entry_date, "t": entry.title, "l": entry.link,
                 "x": True, "sd": entry.start_dt, "ed": entry.end_dt, "loc": entry.location,
                 "s0": entry.sequence, "s": entry.sequence + 1, "u": now}
            )  # fmt: skip
    _insert_many(session, _C, rows)
    _execute_many(session, _ENTRY, changes)
    report.calendar += len(rows) + len(changes)
    if changes:
        expire_loaded(session, CalendarEntry)
