"""Benchmark of a survey's results page (issue 12). Prints ratios against the bare SQL of the
same run.

    python benchmarks/bench_survey.py [--answers 10000] [--rounds 15]
                                      [--url postgresql+psycopg://postgres@127.0.0.1/bench]

A survey of four questions (choice, multiple choice, scale, open) with ``answers`` respondents
in three wijken (bulk-inserted with Core ``insert()``), then in interleaved rounds:

1. the bare SQL: the statements the results need (counts per wijk, question, option and point;
   respondents per wijk and question; respondents per wijk; the newest 200 open answers per
   question) through the DB-API cursor;
2. the engine: :func:`engine.surveys.results.load_results` on an open session;
3. the page: ``GET /initiatives/<id>/survey/results`` through the Flask test client, signed in
   as a member of the group (open answers shown) — target <= 3x the bare SQL.

Each round runs the three once, in turn; the report gives the median and the spread
(lowest–highest) of the rounds, and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402

from engine.accounts import create_person  # noqa: E402
from engine.db import make_engine, make_session_factory  # noqa: E402
from engine.demo import load_places  # noqa: E402
from engine.migrate import upgrade_engine  # noqa: E402
from engine.models import Neighbourhood  # noqa: E402
from engine.models.surveys import Survey, SurveyAnswer, SurveyResponse  # noqa: E402
from engine.operations import create_initiative  # noqa: E402
from engine.surveys.building import add_question, open_survey, save_survey  # noqa: E402
from engine.surveys.results import load_results  # noqa: E402
from engine.workflows.versions import sync_workflows  # noqa: E402

NOW = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
PASSWORD = "benchmark-group"

BARE = (
    """SELECT r.neighbourhood_id, a.question_id, a.option_id, a.value, count(*)
       FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id
       WHERE a.survey_id = {sid} AND a.text IS NULL
       GROUP BY r.neighbourhood_id, a.question_id, a.option_id, a.value""",
    """SELECT r.neighbourhood_id, a.question_id, count(DISTINCT a.response_id)
       FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id
       WHERE a.survey_id = {sid} GROUP BY r.neighbourhood_id, a.question_id""",
    """SELECT neighbourhood_id, count(*), sum(CASE WHEN is_paper THEN 1 ELSE 0 END)
       FROM survey_responses WHERE survey_id = {sid} GROUP BY neighbourhood_id""",
    """SELECT question_id, text FROM (
         SELECT question_id, text,
                row_number() OVER (PARTITION BY question_id ORDER BY id DESC) AS n
         FROM survey_answers WHERE survey_id = {sid} AND text IS NOT NULL) AS ranked
       WHERE n <= 200 ORDER BY question_id, n""",
)


def build(url: str, answers: int) -> tuple[make_session_factory, int, int]:  # type: ignore[valid-type]
    engine = make_engine(url)
    upgrade_engine(engine)
    sessions = make_session_factory(engine)
    with sessions() as s:
        sync_workflows(s, NOW)
        load_places(s)
        anna = create_person(s, email="anna@example.nl", name="Anna", password=PASSWORD, now=NOW)
        wijken = list(s.scalars(select(Neighbourhood.id).limit(3)))
        item = create_initiative(
            s, anna, workflow="wijkvisie", neighbourhood_id=wijken[0], title="Wijkvisie",
            description="Een wijkvisie, met een vragenlijst voor de buurt.", now=NOW,
        )  # fmt: skip
        survey = save_survey(s, anna, initiative_id=item.id, title="Vragen", intro="",
                             asks_wijk=True, now=NOW)  # fmt: skip
        for kind, options in (("choice", "A\nB\nC"), ("multiple", "X\nY\nZ"), ("scale", ""),
                              ("text", "")):  # fmt: skip
            add_question(s, anna, initiative_id=item.id, kind=kind, text=f"Vraag {kind}",
                         options=options, is_required=False, now=NOW)  # fmt: skip
        open_survey(s, anna, initiative_id=item.id, closes_on=None, now=NOW)
        _fill(s, survey, anna.id, answers, wijken)
        s.commit()
        return sessions, item.id, survey.id


def _fill(s, survey: Survey, entered_by: int, count: int, wijken: list[int]) -> None:
    q = survey.questions
    s.execute(insert(SurveyResponse), [
        {"survey_id": survey.id, "person_id": None, "is_paper": True, "entered_by_id": entered_by,
         "neighbourhood_id": wijken[i % 3], "created_dt": NOW, "updated_dt": NOW}
        for i in range(count)
    ])  # fmt: skip
    ids = list(s.scalars(select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id)))
    rows = []
    for i, rid in enumerate(ids):
        base = {"response_id": rid, "survey_id": survey.id, "option_id": None, "value": None,
                "text": None}  # fmt: skip
        rows.append(dict(base, question_id=q[0].id, option_id=q[0].options[i % 3].id))
        rows.append(dict(base, question_id=q[1].id, option_id=q[1].options[i % 3].id))
        rows.append(dict(base, question_id=q[1].id, option_id=q[1].options[(i + 1) % 3].id))
        rows.append(dict(base, question_id=q[2].id, value=1 + i % 5))
        if i % 3 == 0:
            rows.append(dict(base, question_id=q[3].id, text=f"Open antwoord nummer {i}"))
    for start in range(0, len(rows), 20_000):
        s.execute(insert(SurveyAnswer), rows[start : start + 20_000])


def runners(sessions, url: str, item_id: int, survey_id: int, tmp: Path):
    raw = sessions.kw["bind"].raw_connection()
    statements = [sql.format(sid=int(survey_id)) for sql in BARE]

    def bare() -> None:
        cursor = raw.cursor()
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()
        cursor.close()

    session = sessions()
    survey = session.get(Survey, survey_id)

    def engine() -> None:
        session.expire_all()
        found = load_results(session, session.get(Survey, survey_id), with_texts=True)
        assert found.respondents > 0

    from web import create_app

    app = create_app({"VERBINDING_DATABASE_URL": url, "VERBINDING_INSTANCE_PATH": str(tmp),
                      "VERBINDING_SECRET_KEY": "bench"})  # fmt: skip
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text)
    login = {"csrf_token": token.group(1), "email": "anna@example.nl", "password": PASSWORD}
    done = client.post("/login", data=login)
    assert done.status_code == 302, "the benchmark resident could not log in"
    path = f"/initiatives/{item_id}/survey/results"

    def page() -> None:
        response = client.get(path)
        assert response.status_code == 200 and "Open antwoord nummer" in response.text

    def close() -> None:
        raw.close()
        session.close()
        app.extensions["verbinding"].close()

    assert survey is not None
    return {"bare SQL": bare, "engine": engine, "page": page}, close


def measure(runs: dict[str, Callable[[], None]], rounds: int) -> dict[str, list[float]]:
    for run in runs.values():  # warm: caches, templates, the planner
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--url", help="an empty database to fill (default: a new SQLite file)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-survey-"))
    url = args.url or f"sqlite:///{tmp / 'survey.db'}"
    started = time.perf_counter()
    sessions, item_id, survey_id = build(url, args.answers)
    dialect = sessions.kw["bind"].dialect.name
    print(f"database: {dialect}; {args.answers:,} answers filled in "
          f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
    runs, close = runners(sessions, url, item_id, survey_id, tmp)
    try:
        times = measure(runs, args.rounds)
    finally:
        close()
    base = statistics.median(times["bare SQL"])
    ok = True
    for name, found in times.items():
        median = statistics.median(found)
        ratio = median / base
        line = (f"{name:9s} median {median * 1000:7.2f} ms  (runs {min(found) * 1000:.2f}–"
                f"{max(found) * 1000:.2f} ms)  {ratio:5.2f}x the bare SQL")  # fmt: skip
        if name == "page":
            ok = ratio <= 3
            line += f"  (target <= 3)  {'OK' if ok else 'MISS'}"
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
