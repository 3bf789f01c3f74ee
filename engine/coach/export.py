"""The caseload as CSV: the same rows as the filtered pages, all of them, in the same order."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping

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

#: the Dutch spreadsheet dialect: Excel with Dutch regional settings splits on ``;``, and reads
#: the file as UTF-8 only when it starts with a byte order mark
DELIMITER = ";"
BOM = "\ufeff"

#: a cell — or a piece of one a spreadsheet might split off at a separator or line break —
#: starting with one of these (after spaces) would be run as a formula
_FORMULA_PIECE = re.compile(r"(^|[;,\t\r\n|])(\s*)([=+\-@\t\r\uff1d\uff0b\uff0d\uff20])")


def _safe(value: object) -> str:
    """Text a spreadsheet shows as text: every piece that could start a formula gets a ``'``.

    Quoting every field already keeps a ``;`` inside its cell; this also holds when a program
    splits the field anyway (a Dutch Excel opening the file by hand, a paste into a sheet).
    """
    text = "" if value is None else str(value)
    return _FORMULA_PIECE.sub(r"\1\2'\3", text)


def _cells(
    row: CaseloadRow,
    render: Callable[[Msg], str],
    title: Callable,
    tz: str | None,
    workflows: Mapping[str, object],
) -> list[str]:
    workflow = workflows.get(row.workflow)
    return [
        str(row.id),
        _safe(row.title),
        _safe(row.district),
        _safe(row.neighbourhood),
        _safe(title(workflow) if workflow is not None else row.workflow),
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
    workflows: Mapping[str, object] | None = None,
) -> Iterator[str]:
    """CSV lines in the Dutch dialect (a byte order mark and a header, then a line per row;
    ``;`` between fields, every field quoted); ``render`` translates, ``title`` picks a title's
    language, ``workflows`` maps a template's key to its title, dates are in the time zone
    ``tz``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    buffer.write(BOM)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([render(label) for _, label in COLUMNS])
    yield flush()
    for row in rows:
        writer.writerow(_cells(row, render, title, tz, workflows or {}))
        yield flush()
