"""The survey pages as people use them: the group builds, previews, opens and closes it; a
neighbour answers and changes the answer; the group types in a paper answer; results with a
table beside the chart, open answers only for the group and coaches; the CSV in Excel's Dutch
dialect; bad input told at its question, never a 500; and the results page reads the same
number of statements with 10 answers as with 10,000."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from engine.db import utcnow
from engine.models import Person
from engine.models.surveys import Survey, SurveyResponse
from engine.operations import assign_coach
from tests import factories
from tests.factories.surveys import answers_for, bulk_answers, survey
from tests.support import csrf_token, login


@pytest.fixture
def group(web_app):
    """A public initiative with its people; the survey is built by the test itself."""
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    try:
        people = factories.people_in_every_role(session, now)
        item = factories.initiative_for_roles(
            session, now, people, title=f"Vragen {uuid.uuid4().hex[:6]}"
        )
        assign_coach(session, people["admin"], coach_id=people["coach"].id, now=now,
                     initiative_id=item.id)  # fmt: skip
        session.commit()
        return {"item": item.id, **{k: p.id for k, p in people.items()}}
    finally:
        session.close()


@pytest.fixture
def opened(web_app, group):
    session = web_app.extensions["verbinding"].sessions()
    try:
        initiator = session.get(Person, group["initiator"])
        item_id = group["item"]
        from engine.models import Initiative

        found = survey(session, session.get(Initiative, item_id), initiator, utcnow())
        session.commit()
        answers = answers_for(found, text="Meer <b>groen</b>")
        return {**group, "survey": found.id, "answers": answers}
    finally:
        session.close()


def _as(web_app, group, role: str | None):
    client = web_app.test_client()
    client.get("/language/en")
    if role is not None:
        session = web_app.extensions["verbinding"].sessions()
        email = session.get(Person, group[role]).email
        session.close()
        login(client, email, factories.PASSWORD)
    return client


def _post(client, url: str, data: dict, page: str):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def _count(web_app, model=SurveyResponse) -> int:
    session = web_app.extensions["verbinding"].sessions()
    try:
        return session.scalar(select(func.count()).select_from(model))
    finally:
        session.close()


def test_the_group_builds_previews_and_opens_the_survey(web_app, group):
    base = f"/initiatives/{group['item']}/survey"
    member = _as(web_app, group, "member")
    started = _post(member, f"{base}/build", {"title": "Hoe woont u?", "asks_wijk": "y"},
                    f"{base}/build")  # fmt: skip
    assert started.status_code == 302
    bad = _post(member, f"{base}/questions", {"kind": "choice", "text": "Kleur?",
                                              "options": "Groen"}, f"{base}/build")  # fmt: skip
    assert bad.status_code == 400
    assert "Give at least two options, one per line." in bad.get_data(as_text=True)
    question = {"kind": "choice", "text": "Kleur?", "options": "Groen\nBlauw"}
    added = _post(member, f"{base}/questions", question, f"{base}/build")
    assert added.status_code == 302
    # the neighbourhood does not see a draft; the group previews it
    assert "no open survey" in _as(web_app, group, "outsider").get(base).get_data(as_text=True)
    preview = member.get(f"{base}/preview").get_data(as_text=True)
    assert "Kleur?" in preview and "nothing can be sent" in preview
    not_yet = _post(member, f"{base}/open", {}, f"{base}/build")
    assert not_yet.status_code == 302
    page = _as(web_app, group, "outsider").get(base).get_data(as_text=True)
    assert "Send my answer" in page and "Which neighbourhood do you live in?" in page


def test_a_neighbour_answers_changes_and_the_questions_are_fixed(web_app, opened):
    base = f"/initiatives/{opened['item']}/survey"
    outsider = _as(web_app, opened, "outsider")
    sent = _post(outsider, base, opened["answers"], base)
    assert sent.status_code == 302
    again = outsider.get(base).get_data(as_text=True)
    assert "You answered already" in again and "Change my answer" in again
    _post(outsider, base, opened["answers"], base)
    assert _count(web_app) == 1
    build = _as(web_app, opened, "initiator").get(f"{base}/build").get_data(as_text=True)
    assert "already has answers, so its questions can no longer change" in build
    assert "Add the question" not in build


def test_paper_answers_and_who_reads_the_open_answers(web_app, opened):
    base = f"/initiatives/{opened['item']}/survey"
    member = _as(web_app, opened, "member")
    typed = _post(member, f"{base}/paper", opened["answers"], f"{base}/paper")
    assert typed.status_code == 302
    results = member.get(f"{base}/results").get_data(as_text=True)
    assert "1 answer</strong>: 0 online, 1 on paper" in results
    assert '<svg class="vb-chart" role="img"' in results and "<table" in results
    assert "Meer &lt;b&gt;groen&lt;/b&gt;" in results
    coach = _as(web_app, opened, "coach").get(f"{base}/results").get_data(as_text=True)
    assert "Meer &lt;b&gt;groen" in coach
    public = _as(web_app, opened, None).get(f"{base}/results").get_data(as_text=True)
    assert "groen&lt;" not in public and "read by the group and the process coaches" in public
    assert _as(web_app, opened, None).get(f"{base}/results.csv").status_code == 302  # log in
    _post(member, f"{base}/publish", {"publish": "yes"}, f"{base}/results")
    public = _as(web_app, opened, None).get(f"{base}/results").get_data(as_text=True)
    assert "Meer &lt;b&gt;groen" in public
    csv = member.get(f"{base}/results.csv")
    body = csv.get_data()
    assert csv.mimetype == "text/csv" and body.startswith("\ufeff".encode())
    assert b'"on paper"' in body and b";" in body.splitlines()[0]


def test_closing_tells_the_rest_of_the_group(web_app, opened):
    base = f"/initiatives/{opened['item']}/survey"
    initiator = _as(web_app, opened, "initiator")
    unconfirmed = _post(initiator, f"{base}/close", {}, f"{base}/build")
    assert unconfirmed.status_code == 303  # nothing closed without the second step
    closed = _post(initiator, f"{base}/close", {"confirmed": "yes"}, f"{base}/build")
    assert closed.status_code == 302
    told = _as(web_app, opened, "member").get("/notifications").get_data(as_text=True)
    assert "is closed. Look at the results." in told
    page = _as(web_app, opened, "outsider").get(base).get_data(as_text=True)
    assert "The survey is closed" in page and "Send my answer" not in page


_FIELD = st.sampled_from(["q0", "q1", "q2", "q3", "wijk", "qx", "q"])
_VALUE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["0", "1", "5", "6", "-1", "99999999999999999999", "", " 3 ", "²"]),
    st.text(alphabet="\x00\x01\x7f\u2028\ud7ff", max_size=3),
)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(form=st.lists(st.tuples(_FIELD, _VALUE), max_size=8))
def test_any_answer_form_is_stored_correctly_or_told_never_a_500(web_app, opened, form):
    base = f"/initiatives/{opened['item']}/survey"
    if "client" not in opened:  # one visitor for every example: logging in is slow on purpose
        client = opened["client"] = _as(web_app, opened, "outsider")
        page = client.get(base).get_data(as_text=True)
        opened["csrf"] = csrf_token(client, base)
        opened["ids"] = list(dict.fromkeys(re.findall(r'name="(q\d+)"', page)))
    client = opened["client"]
    names = dict(zip(["q0", "q1", "q2", "q3"], opened["ids"], strict=False))
    data: dict[str, list[str]] = {"csrf_token": [opened["csrf"]]}
    for name, value in form:
        data.setdefault(names.get(name, name), []).append(value)
    before = _count(web_app)
    response = client.post(base, data=data)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        body = response.get_data(as_text=True)
        assert "There is a problem" in body and "Nothing was saved" in body
        assert _count(web_app) == before
    else:
        assert _count(web_app) in (before, before + 1)


def test_results_read_the_same_statements_with_10_and_10000_answers(web_app, opened):
    url = f"/initiatives/{opened['item']}/survey/results"
    member = _as(web_app, opened, "member")
    session = web_app.extensions["verbinding"].sessions()
    try:
        found = session.get(Survey, opened["survey"])
        entered_by = session.get(Person, opened["member"])
        wijk = factories.neighbourhood(session).id
        bulk_answers(session, found, 10, entered_by, utcnow(), [wijk])
        session.commit()
        small = _statements(web_app, member, url)
        bulk_answers(session, found, 9_990, entered_by, utcnow(), [wijk])
        session.commit()
    finally:
        session.close()
    large = _statements(web_app, member, url)
    assert small[0] == large[0], (small, large)
    assert "10000 answers" in large[1]


def _statements(web_app, client, url):
    client.get(url)  # warm: templates and definitions
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = web_app.extensions["verbinding"].engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)
