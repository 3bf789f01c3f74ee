"""The caseload as CSV: the same rows as the filtered pages, all of them, in the same order."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator

from engine.coach.caseload import CaseloadRow
from engine.coach.health import STATUS_LABELS
from engine.i18n import Msg, msg
from engine.timeutil import local_date

COLUMNS: tuple[tuple[str, Msg], ...] = (
    ("id", msg("Number")),
    ("title", msg("Initiative")),
    ("district", msg("District")),
    ("neighbourhood", msg("Neighbourhood")),
    ("workflow", msg("Template")),
    ("stage", msg("Stage")),
    ("status", msg("Status")),
    ("days_in_stage", msg("Days in stage")),
    ("last_activity", msg("Last activity")),
    ("overdue_steps", msg("Steps overdue")),
    ("waiting_requests", msg("Support requests waiting")),
    ("respond_by", msg("Earliest respond-by")),
    ("coaches", msg("Coaches")),
    ("signals", msg("Health signals")),
)

#: a cell starting with one of these would be run as a formula by a spreadsheet
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cells(
    row: CaseloadRow, render: Callable[[Msg], str], title: Callable, tz: str | None
) -> list[str]:
    return [
        str(row.id),
        _safe(row.title),
        _safe(row.district),
        _safe(row.neighbourhood),
        _safe(row.workflow),
        _safe(title(row.stage_title)),
        render(STATUS_LABELS[row.status]),
        str(row.days_in_stage),
        local_date(row.last_activity_dt, tz).isoformat(),
        str(row.overdue_steps),
        str(row.waiting_requests),
        row.respond_by.isoformat() if row.respond_by else "",
        _safe("; ".join(row.coaches)),
        _safe(" | ".join(render(s.reason) for s in row.signals)),
    ]


def caseload_csv(
    rows: Iterable[CaseloadRow],
    *,
    render: Callable[[Msg], str],
    title: Callable,
    tz: str | None = None,
) -> Iterator[str]:
    """CSV lines (a header, then a line per row); ``render`` translates, ``title`` picks a
    stage title's language, dates are in the time zone ``tz``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([render(label) for _, label in COLUMNS])
    yield flush()
    for row in rows:
        writer.writerow(_cells(row, render, title, tz))
        yield flush()
