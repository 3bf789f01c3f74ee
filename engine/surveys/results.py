"""The results of a survey, counted in the database: a fixed number of queries, however many
answers there are (one for the counts, one per wijk, one for the number of respondents, one
for the open answers)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.engine import Row as SQLRow
from sqlalchemy.orm import Session

from engine.models import Neighbourhood
from engine.models.surveys import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

#: at most this many open answers per question are shown on the page (the CSV has all)
OPEN_ANSWERS_SHOWN = 200


@dataclass
class Row:
    """One option (or point on the scale): how often it was chosen, and its share."""

    label: str
    count: int
    percent: int


@dataclass
class QuestionResult:
    question: SurveyQuestion
    #: how many respondents answered this question
    answered: int = 0
    rows: list[Row] = field(default_factory=list)
    #: for a scale: the average, one decimal
    average: float | None = None
    #: open answers (if the reader may see them), newest first
    texts: list[str] = field(default_factory=list)
    #: per wijk: name → rows, when the survey asks for the wijk
    by_wijk: dict[str, list[Row]] = field(default_factory=dict)


@dataclass
class Results:
    survey: Survey
    respondents: int
    online: int
    paper: int
    questions: list[QuestionResult]
    #: wijk name → respondents, in order of name; "" for those who did not say
    wijken: dict[str, int]


def _percent(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


def answer_count(session: Session, survey_id: int) -> int:
    query = select(func.count()).where(SurveyResponse.survey_id == survey_id)
    return session.scalar(query) or 0


#: what the initiative page's survey panel shows, in one statement built once (the survey as
#: an object would bring its questions and their options along: three statements more)
_PANEL = select(
    Survey.id,
    Survey.title,
    Survey.status,
    select(func.count())
    .where(SurveyResponse.survey_id == Survey.id)
    .scalar_subquery()
    .label("answers"),
).where(Survey.initiative_id == bindparam("iid"))


def survey_line(session: Session, initiative_id: int) -> SQLRow | None:
    """The initiative's survey as its panel shows it: ``id``, ``title``, ``status`` and how
    many ``answers`` it has; None without a survey."""
    return session.connection().execute(_PANEL, {"iid": initiative_id}).first()


def _counts(session: Session, survey_id: int):
    """(wijk id or None, question, option, value) → count; per question the respondents."""
    a, r = SurveyAnswer, SurveyResponse
    return session.execute(
        select(
            r.neighbourhood_id, a.question_id, a.option_id, a.value,
            func.count(),
        )
        .join(r, r.id == a.response_id)
        .where(a.survey_id == survey_id, a.text.is_(None))
        .group_by(r.neighbourhood_id, a.question_id, a.option_id, a.value)
    ).all()  # fmt: skip


def _answered(session: Session, survey_id: int) -> dict[tuple[int | None, int], int]:
    """(wijk id or None, question) → how many respondents answered it."""
    a, r = SurveyAnswer, SurveyResponse
    rows = session.execute(
        select(r.neighbourhood_id, a.question_id, func.count(func.distinct(a.response_id)))
        .join(r, r.id == a.response_id)
        .where(a.survey_id == survey_id)
        .group_by(r.neighbourhood_id, a.question_id)
    ).all()
    return {(w, q): n for w, q, n in rows}


def _respondents(session: Session, survey_id: int):
    r = SurveyResponse
    return session.execute(
        select(
            r.neighbourhood_id,
            func.count(),
            func.sum(case((r.is_paper, 1), else_=0)),
        )
        .where(r.survey_id == survey_id)
        .group_by(r.neighbourhood_id)
    ).all()


def _texts(session: Session, survey_id: int, limit: int | None) -> dict[int, list[str]]:
    a = SurveyAnswer
    ranked = (
        select(
            a.question_id,
            a.text,
            func.row_number().over(partition_by=a.question_id, order_by=a.id.desc()).label("n"),
        )
        .where(a.survey_id == survey_id, a.text.is_not(None))
        .subquery()
    )
    query = select(ranked.c.question_id, ranked.c.text)
    if limit is not None:
        query = query.where(ranked.c.n <= limit)
    found: dict[int, list[str]] = defaultdict(list)
    for question_id, text in session.execute(query.order_by(ranked.c.question_id, ranked.c.n)):
        found[question_id].append(text)
    return found


def _rows(question: SurveyQuestion, counts: dict[tuple[int | None, int | None], int],
          answered: int) -> list[Row]:  # fmt: skip
    keys: list[tuple[tuple[int | None, int | None], str]]
    if question.kind == "scale":
        keys = [((None, v), str(v)) for v in range(1, 6)]
    else:
        keys = [((o.id, None), o.label) for o in question.options]
    return [Row(label, counts.get(k, 0), _percent(counts.get(k, 0), answered)) for k, label in keys]


def load_results(
    session: Session,
    survey: Survey,
    *,
    with_texts: bool,
    text_limit: int | None = OPEN_ANSWERS_SHOWN,
) -> Results:
    """Counts and shares per question (and per wijk if asked), and the open answers if the
    reader may see them."""
    questions = survey.questions  # one query with their options (selectin below)
    wijk_names = {}
    respondents = _respondents(session, survey.id)
    wijk_ids = [w for w, _, _ in respondents if w is not None]
    if wijk_ids:
        wijk_names = dict(
            session.execute(
                select(Neighbourhood.id, Neighbourhood.name).where(Neighbourhood.id.in_(wijk_ids))
            ).all()
        )
    total = sum(n for _, n, _ in respondents)
    paper = sum(int(p or 0) for _, _, p in respondents)
    counts: dict[int, dict] = defaultdict(dict)
    per_wijk: dict[int, dict] = defaultdict(lambda: defaultdict(dict))
    for wijk, qid, option_id, value, n in _counts(session, survey.id):
        key = (option_id, value)
        counts[qid][key] = counts[qid].get(key, 0) + n
        if wijk is not None:
            per_wijk[qid][wijk][key] = n
    answered_by = _answered(session, survey.id)
    answered: dict[int, int] = defaultdict(int)
    for (_wijk, qid), n in answered_by.items():
        answered[qid] += n
    texts = _texts(session, survey.id, text_limit) if with_texts else {}
    wijk_respondents = {wijk_names[w]: n for w, n, _ in respondents if w is not None}
    results = []
    for q in questions:
        got = answered.get(q.id, 0)
        result = QuestionResult(q, got, _rows(q, counts[q.id], got) if q.kind != "text" else [])
        if q.kind == "scale" and got:
            result.average = round(sum(int(v) * n for (_, v), n in counts[q.id].items()) / got, 1)
        result.texts = texts.get(q.id, [])
        if survey.asks_wijk and q.kind != "text":
            for wijk, wc in sorted(per_wijk[q.id].items(), key=lambda i: wijk_names.get(i[0], "")):
                n_wijk = answered_by.get((wijk, q.id), 0)
                result.by_wijk[wijk_names.get(wijk, "?")] = _rows(q, wc, n_wijk)
        results.append(result)
    wijken = dict(sorted(wijk_respondents.items()))
    return Results(survey, total, total - paper, paper, results, wijken)
