"""The survey: the group builds and opens it, residents answer once (and may change it), the
group types in paper answers; questions are fixed after the first answer; results are counted
per option and per wijk; the guard on the wijkvisie counts the answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.errors import InvalidInput, PermissionDenied, Refused
from engine.guards import GuardContext, check_guards
from engine.models.notifications import Notification, NotificationEvent
from engine.models.surveys import SurveyResponse
from engine.operations.common import guard_context
from engine.surveys.answering import answer_survey, enter_paper_answer, own_answer
from engine.surveys.building import (
    add_question,
    close_due_surveys,
    close_survey,
    open_survey,
    remove_question,
)
from engine.surveys.export import survey_csv
from engine.surveys.results import load_results
from engine.workflows.definitions import GuardRef
from tests import factories
from tests.factories.surveys import answers_for, survey

MIN = timedelta(minutes=1)


@pytest.fixture
def group(session, now):
    item, people = factories.initiative_with_group(session, now, members=1)
    return item, people


def test_a_resident_answers_once_and_may_change_the_answer(session, now, group):
    item, (anna, bram) = group
    found = survey(session, item, anna, now)
    neighbour = factories.person(session, now, "Noor Visser")
    answer_survey(session, neighbour, initiative_id=item.id, raw=answers_for(found), now=now)
    changed = answers_for(found, choice=2, scale=1, text="Meer bankjes")
    answer_survey(session, neighbour, initiative_id=item.id, raw=changed, now=now + MIN)
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    assert own_answer(session, found, neighbour)[f"q{found.questions[3].id}"] == ["Meer bankjes"]
    results = load_results(session, found, with_texts=True)
    first = results.questions[0]
    assert [(r.label, r.count, r.percent) for r in first.rows] == [
        ("Groen", 0, 0), ("Spelen", 0, 0), ("Parkeren", 1, 100),
    ]  # fmt: skip
    assert results.questions[2].average == 1.0


def test_paper_answers_are_marked_with_who_typed_them(session, now, group):
    item, (anna, bram) = group
    found = survey(session, item, anna, now)
    wijk = factories.neighbourhood(session).id
    raw = {**answers_for(found), "wijk": [str(wijk)]}
    for _ in range(2):
        enter_paper_answer(session, bram, initiative_id=item.id, raw=raw, now=now)
    rows = session.scalars(select(SurveyResponse)).all()
    assert [(r.is_paper, r.entered_by_id, r.person_id) for r in rows] == [(True, bram.id, None)] * 2
    results = load_results(session, found, with_texts=False)
    assert (results.respondents, results.paper, results.online) == (2, 2, 0)
    assert results.wijken == {"Paddepoel": 2}
    assert results.questions[0].by_wijk["Paddepoel"][0].percent == 100
    outsider = factories.person(session, now)
    with pytest.raises(PermissionDenied):
        enter_paper_answer(session, outsider, initiative_id=item.id, raw=raw, now=now)


def test_no_change_of_questions_after_the_first_answer(session, now, group):
    item, (anna, bram) = group
    found = survey(session, item, anna, now)
    enter_paper_answer(session, bram, initiative_id=item.id, raw=answers_for(found), now=now)
    with pytest.raises(Refused) as refused:
        add_question(session, anna, initiative_id=item.id, kind="text", text="Nog iets?",
                     options="", is_required=False, now=now)  # fmt: skip
    assert "already has answers" in refused.value.message.msgid
    with pytest.raises(Refused):
        remove_question(session, anna, initiative_id=item.id,
                        question_id=found.questions[0].id, now=now)  # fmt: skip


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({}, 0, "Answer this question."),
        ({0: ["999999"]}, 0, "Choose one of the options."),
        ({0: ["1", "2"]}, 0, "Choose one option."),
        ({2: ["6"]}, 2, "Choose a number from 1 to 5."),
        ({3: ["\x00"]}, 3, "control characters"),
        ({3: ["x" * 2001]}, 3, "Write at most"),
    ],
)
def test_bad_answers_are_refused_at_their_question(session, now, group, values, field, words):
    item, (anna, _) = group
    found = survey(session, item, anna, now)
    q = found.questions
    raw = {f"q{q[i].id}": v for i, v in values.items()}
    if field not in (None, 0):
        raw[f"q{q[0].id}"] = [str(q[0].options[0].id)]
    with pytest.raises(InvalidInput) as refused:
        answer_survey(session, factories.person(session, now), initiative_id=item.id, raw=raw,
                      now=now)  # fmt: skip
    assert words in refused.value.message.msgid
    assert refused.value.field == (None if field is None else f"q{q[field].id}")
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_staff_and_a_closed_survey_take_no_answers(session, now, group):
    item, (anna, _) = group
    found = survey(session, item, anna, now)
    with pytest.raises(PermissionDenied):
        answer_survey(session, factories.staff(session, now), initiative_id=item.id,
                      raw=answers_for(found), now=now)  # fmt: skip
    close_survey(session, anna, initiative_id=item.id, now=now)
    with pytest.raises(Refused):
        answer_survey(session, factories.person(session, now), initiative_id=item.id,
                      raw=answers_for(found), now=now)  # fmt: skip


def test_the_group_is_told_when_the_survey_closes_at_its_end_date(session, now, group):
    item, (anna, bram) = group
    found = survey(session, item, anna, now, opened=False)
    open_survey(session, anna, initiative_id=item.id, closes_on=now.date() + timedelta(days=2),
                now=now)  # fmt: skip
    assert close_due_surveys(session, now + timedelta(days=1)) == []
    assert close_due_surveys(session, now + timedelta(days=4)) == [found.id]
    assert found.status == "closed"
    told = session.scalars(
        select(Notification.person_id)
        .join(NotificationEvent, NotificationEvent.id == Notification.event_id)
        .where(NotificationEvent.kind == "survey_closed")
    ).all()
    assert sorted(told) == sorted([anna.id, bram.id])


def test_the_guard_counts_answers_and_says_how_many_are_missing(session, now, group):
    item, (anna, bram) = group
    ref = GuardRef("survey_answers", (("count", 3),))
    (reason,) = check_guards((ref,), GuardContext())
    assert "at least %(num)d answers" in reason.plural
    found = survey(session, item, anna, now)
    enter_paper_answer(session, bram, initiative_id=item.id, raw=answers_for(found), now=now)
    ctx = guard_context(session, item)
    assert ctx.survey_answers == 1
    (reason,) = check_guards((ref,), ctx)
    assert reason.n == 2
    for _ in range(2):
        enter_paper_answer(session, bram, initiative_id=item.id, raw=answers_for(found), now=now)
    assert check_guards((ref,), guard_context(session, item)) == []


def test_the_csv_opens_in_dutch_excel_and_neutralises_formulas(session, now, group):
    item, (anna, bram) = group
    found = survey(session, item, anna, now)
    raw = answers_for(found, text='=HYPERLINK("x")')
    enter_paper_answer(session, bram, initiative_id=item.id, raw=raw, now=now)
    text = "".join(survey_csv(session, found, render=lambda m: m.msgid, with_texts=True))
    assert text.startswith('\ufeff"Number";"How";')
    line = text.splitlines()[1]
    assert '"on paper"' in line and '"Spelen"' not in line and '"Groen"' in line
    assert "\"'=HYPERLINK" in line
    assert '"Het park | De kade"' in line
    hidden = "".join(survey_csv(session, found, render=lambda m: m.msgid, with_texts=False))
    assert "HYPERLINK" not in hidden
