"""A survey's answers as CSV in the Dutch spreadsheet dialect of the caseload export: ``;``
between quoted fields, a byte order mark, and every cell that could start a formula made text.

One line per respondent; a column per question (chosen options joined with `` | ``); open
answers only when the reader may see them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.coach.export import BOM, DELIMITER, _safe
from engine.i18n import Msg, msg
from engine.models import Neighbourhood
from engine.models.surveys import Survey, SurveyAnswer, SurveyResponse
from engine.timeutil import local_date

_HEAD: tuple[Msg, ...] = (msg("Number"), msg("How"), msg("Date"), msg("Neighbourhood"))


def survey_csv(
    session: Session,
    survey: Survey,
    *,
    render: Callable[[Msg], str],
    with_texts: bool,
    tz: str | None = None,
) -> Iterator[str]:
    """CSV lines, streamed: a header, then one line per respondent in the order they answered."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    buffer.write(BOM)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    questions = [q for q in survey.questions if with_texts or q.kind != "text"]
    column = {q.id: i for i, q in enumerate(questions)}
    labels = {o.id: o.label for q in questions for o in q.options}
    writer.writerow([*(render(h) for h in _HEAD), *(_safe(q.text) for q in questions)])
    yield flush()
    r, a = SurveyResponse, SurveyAnswer
    rows = session.execute(
        select(r.id, r.is_paper, r.created_dt, Neighbourhood.name,
               a.question_id, a.option_id, a.value, a.text)
        .outerjoin(Neighbourhood, Neighbourhood.id == r.neighbourhood_id)
        .outerjoin(a, a.response_id == r.id)
        .where(r.survey_id == survey.id)
        .order_by(r.id, a.question_id, a.option_id)
        .execution_options(yield_per=1000)
    )  # fmt: skip
    paper, online = render(msg("on paper")), render(msg("online"))
    current: int | None = None
    cells: list[list[str]] = []
    head: list[str] = []

    def line() -> list[str]:
        return [*head, *(_safe(" | ".join(c)) for c in cells)]

    for rid, is_paper, created, wijk, qid, option_id, value, text in rows:
        if rid != current:
            if current is not None:
                writer.writerow(line())
                yield flush()
            current, cells = rid, [[] for _ in questions]
            head = [str(rid), paper if is_paper else online,
                    local_date(created, tz).isoformat(), _safe(wijk or "")]  # fmt: skip
        if qid is None or qid not in column:
            continue
        shown = labels.get(option_id, "") if option_id else str(value) if value else text or ""
        cells[column[qid]].append(shown)
    if current is not None:
        writer.writerow(line())
        yield flush()
