"""Support requests in the browser's terms: members file, coaches answer, everyone reads why."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest

from engine.db import utcnow
from engine.models import SupportRequest
from tests import factories
from tests.support import login, post_form


@dataclass
class Scene:
    initiative_id: int
    title: str
    initiator: str
    member: str
    outsider: str
    coach: str
    coach_name: str


@pytest.fixture(scope="module")
def people(web_app) -> dict[str, tuple[int, str, str]]:
    """The residents and the coach, made once per database (password hashing is slow)."""
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    tag = uuid.uuid4().hex[:6]
    try:
        made = {
            key: factories.person(session, now, name, password=factories.PASSWORD)
            for key, name in (("anna", "Anna de Vries"), ("bram", "Bram Dijkstra"),
                              ("kees", "Kees Buitenstaander"))
        }  # fmt: skip
        made["coach"] = factories.staff(session, now, name=f"Sanne Visser {tag}")
        session.commit()
        return {key: (p.id, p.email, p.name) for key, p in made.items()}
    finally:
        session.close()


@pytest.fixture
def scene(db_session, people) -> Scene:
    """A new initiative of Anna's, with Bram as a member."""
    from engine.models import Person
    from engine.operations import join_initiative

    now = utcnow()
    title = f"Groen op de kade {uuid.uuid4().hex[:6]}"
    anna = db_session.get(Person, people["anna"][0])
    item = factories.initiative(db_session, now, initiator=anna, title=title)
    join_initiative(db_session, db_session.get(Person, people["bram"][0]), item.id, now)
    db_session.commit()
    return Scene(
        item.id, title, people["anna"][1], people["bram"][1], people["kees"][1],
        people["coach"][1], people["coach"][2],
    )  # fmt: skip


def _as(client, email: str):
    """Log in, and read the pages in English (the message ids), whatever the catalogue holds."""
    login(client, email, factories.PASSWORD)
    client.get("/language/en")
    return client


def _file(client, scene: Scene, **data):
    """Fill in the request and send it from the check page (confirmed)."""
    values = {
        "kind": "works",
        "description": "Graag de stroken asfalt weghalen.",
        "stage_key": "",
        "confirmed": "yes",
    }
    values.update(data)
    url = f"/initiatives/{scene.initiative_id}/support/new"
    return post_form(client, url, values, token_from=url)


def _only_request(db_session, scene: Scene) -> SupportRequest:
    db_session.expire_all()
    rows = db_session.query(SupportRequest).filter_by(initiative_id=scene.initiative_id).all()
    assert len(rows) == 1
    return rows[0]


def test_a_member_files_a_request_and_sees_when_the_answer_is_due(client, db_session, scene):
    _as(client, scene.member)
    form = client.get(f"/initiatives/{scene.initiative_id}/support/new")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert 'for="kind"' in page and 'for="description"' in page and 'for="stage_key"' in page
    asked = {"kind": "advice", "stage_key": "proposal",
             "description": "Kan een stedenbouwkundige meekijken naar de kade?"}  # fmt: skip
    # WCAG 3.3.4: the first press shows the request to check; nothing is sent yet
    check = _file(client, scene, confirmed="", **asked)
    assert check.status_code == 200
    shown = check.get_data(as_text=True)
    assert "Check your request" in shown and "Nothing is sent yet" in shown
    assert "Kan een stedenbouwkundige meekijken naar de kade?</dd>" in shown
    assert (
        db_session.query(SupportRequest).filter_by(initiative_id=scene.initiative_id).count() == 0
    )
    # "Change the request" goes back to the form with what was typed
    back = _file(client, scene, confirmed="", change="1", **asked).get_data(as_text=True)
    assert "Kan een stedenbouwkundige meekijken naar de kade?</textarea>" in back
    assert 'aria-invalid="true"' not in back
    response = _file(client, scene, **asked)
    assert response.status_code == 302
    row = _only_request(db_session, scene)
    assert (row.kind, row.stage_key, row.status) == ("advice", "proposal", "submitted")
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kan een stedenbouwkundige meekijken naar de kade?" in shown
    assert str(row.respond_by_date.year) in shown
    assert "Withdraw the request" in shown


def test_an_unclear_request_comes_back_with_the_reason_and_the_text_kept(client, db_session, scene):
    _as(client, scene.member)
    response = _file(client, scene, description="Help")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page and "Help</textarea>" in page
    assert (
        db_session.query(SupportRequest).filter_by(initiative_id=scene.initiative_id).count() == 0
    )


@pytest.mark.parametrize("who", ["outsider", "coach"])
def test_only_members_file_requests(client, scene, who):
    _as(client, getattr(scene, who))
    assert client.get(f"/initiatives/{scene.initiative_id}/support/new").status_code == 403
    assert _file(client, scene).status_code == 403


def _answer(client, scene, request_id: int, action: str, note: str = "", **extra):
    url = f"/initiatives/{scene.initiative_id}/support/{request_id}"
    data = {f"{action}-note": note, **extra}
    return post_form(client, f"{url}/{action}", data, token_from=url)


def test_the_coach_answers_and_the_group_reads_every_step(client, db_session, scene, web_app):
    _as(client, scene.member)
    _file(client, scene)
    row = _only_request(db_session, scene)
    coach = _as(web_app.test_client(), scene.coach)
    for action, note in [
        ("acknowledge", "We kijken ernaar deze week."),
        ("accept", "De wijkploeg haalt het asfalt weg in week 50."),
        ("deliver", "Het asfalt is weggehaald."),
    ]:
        response = _answer(coach, scene, row.id, action, note)
        assert response.status_code == 302, response.get_data(as_text=True)[:400]
    assert _only_request(db_session, scene).status == "delivered"
    page = client.get(f"/initiatives/{scene.initiative_id}/support/{row.id}").get_data(as_text=True)
    for note in ("We kijken ernaar deze week.", "De wijkploeg haalt het asfalt weg in week 50.",
                 "Het asfalt is weggehaald."):  # fmt: skip
        assert note in page
    assert page.count(scene.coach_name) >= 3  # who answered, each time
    panel = client.get(f"/initiatives/{scene.initiative_id}/support").get_data(as_text=True)
    assert "Het asfalt is weggehaald." in panel


def test_a_decline_without_a_reason_is_refused_next_to_the_field(
    client, db_session, scene, web_app
):
    _as(client, scene.member)
    _file(client, scene)
    row = _only_request(db_session, scene)
    coach = _as(web_app.test_client(), scene.coach)
    response = _answer(coach, scene, row.id, "decline", "", **{"decline-version": row.version})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="decline-note"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*'
                     r'id="decline-note"', page)  # fmt: skip
    assert 'id="decline-note-error"' in page
    assert _only_request(db_session, scene).status == "submitted"
    response = _answer(coach, scene, row.id, "decline", "Past niet in het budget.")
    assert response.status_code == 302
    page = client.get(f"/initiatives/{scene.initiative_id}/support/{row.id}").get_data(as_text=True)
    assert "Past niet in het budget." in page


def test_members_do_not_answer_their_own_requests(client, db_session, scene):
    _as(client, scene.member)
    _file(client, scene)
    row = _only_request(db_session, scene)
    assert _answer(client, scene, row.id, "accept", "Zelf goedgekeurd").status_code == 403
    assert _only_request(db_session, scene).status == "submitted"


def test_an_answer_from_a_stale_page_is_refused_plainly(client, db_session, scene, web_app):
    _as(client, scene.member)
    _file(client, scene)
    row = _only_request(db_session, scene)
    coach = _as(web_app.test_client(), scene.coach)
    seen = row.version
    first = _answer(coach, scene, row.id, "acknowledge", **{"acknowledge-version": seen})
    assert first.status_code == 302
    stale = _answer(coach, scene, row.id, "accept", "Ja, we doen het.", **{"accept-version": seen})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "answered this support request at the same moment" in page
    assert "Ja, we doen het.</textarea>" in page  # the answer typed is not lost
    assert _only_request(db_session, scene).status == "acknowledged"


def test_the_coachs_inbox_lists_waiting_requests(client, db_session, scene, web_app):
    _as(client, scene.member)
    _file(client, scene)
    row = _only_request(db_session, scene)
    coach = _as(web_app.test_client(), scene.coach)
    page = coach.get("/support/").get_data(as_text=True)
    assert scene.title in page and f"/support/{row.id}" in page
    mine = coach.get("/support/?show=mine").get_data(as_text=True)
    assert scene.title not in mine
    assert client.get("/support/").status_code == 403
