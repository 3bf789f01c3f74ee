"""The "21 ways to a 500" of issue 13, each as a visitor would send it: every one now gets a
404, a page as usual, or the form again with a clear message next to the field — and nothing
is stored."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine.db import utcnow
from engine.models import Initiative, Person, Step
from engine.operations import add_step
from engine.reminders.tokens import signing_secret, unsubscribe_token
from tests import factories
from tests.factories.web import browse_as, submit
from tests.support import post_form

BIG = ["2147483648", "9223372036854775808", "99999999999999999999999", "%C2%B2"]
CONTROL = "This text contains an invisible control character that cannot be stored."


@pytest.fixture(scope="module")
def world(web_app):
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    try:
        people = factories.people_in_every_role(session, now)
        item = factories.initiative_for_roles(session, now, people)
        step = add_step(
            session, people["initiator"], item.id, stage_key=item.state, title="Bankjes tellen",
            now=now,
        )  # fmt: skip
        session.commit()
        found = {"item": item.id, "step": step.id, "people": people}
        found["clients"] = {
            who: browse_as(web_app.test_client(), people[who] if who else None)
            for who in (None, "initiator", "coach", "admin")
        }
        return found
    finally:
        session.close()


def _as(web_app, world, who: str | None):
    return world["clients"][who]


@pytest.mark.parametrize("number", BIG)
def test_ids_past_the_column_or_not_ascii_in_a_path_are_not_found(web_app, world, number):
    client = _as(web_app, world, "initiator")
    item = world["item"]
    for url in (
        f"/initiatives/{number}",
        f"/initiatives/{item}/support/{number}",
        f"/initiatives/{item}/documents/{number}",
        f"/coach/initiatives/{number}",
    ):
        assert client.get(url).status_code == 404, url
    response = submit(client, item, f"/initiatives/{item}/steps/{number}/done")
    assert response.status_code == 404


@pytest.mark.parametrize("number", BIG)
def test_ids_past_the_column_in_a_query_string_are_ignored(web_app, world, number):
    coach = _as(web_app, world, "coach")
    admin = _as(web_app, world, "admin")
    item = world["item"]
    for client, url in (
        (coach, f"/?stadsdeel={number}&wijk={number}"),
        (coach, f"/coach/?coach={number}&stadsdeel={number}&wijk={number}&page={number}"),
        (coach, f"/coach/?per_page={number}"),
        (coach, f"/support/?stadsdeel={number}&page={number}"),
        (coach, f"/initiatives/{item}/history?page={number}"),
        (admin, f"/admin/people?page={number}"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("number", ["9223372036854775808", "²"])
def test_numbers_past_the_column_in_a_form_change_nothing(web_app, world, db_session, number):
    client = _as(web_app, world, "initiator")
    item, step = world["item"], world["step"]
    for data in (  # a version that is no number is no version: as if the client sent none
        {"version": number, "title": "Bankjes tellen", "stage_key": "proposal"},
        {"expected_version": number, "version": number, "title": "Bankjes tellen"},
    ):
        response = submit(client, item, f"/initiatives/{item}/steps/{step}", data)
        assert response.status_code in (302, 400, 409), (data, response.status_code)
    response = submit(
        client, item, f"/initiatives/{item}/steps/{step}",
        {"owner": number, "title": "Bankjes schilderen"},
    )  # fmt: skip
    assert response.status_code == 400  # nobody in the group has that number
    response = submit(client, item, f"/initiatives/{item}/steps/{step}/move", {"position": number})
    assert response.status_code in (302, 400)
    db_session.rollback()
    assert db_session.get(Step, step).title == "Bankjes tellen"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_out_of_range_are_refused_with_a_clear_message(web_app, world, db_session, day):
    client = _as(web_app, world, "initiator")
    item, step = world["item"], world["step"]
    response = submit(
        client, item, f"/initiatives/{item}/steps",
        {"stage_key": "proposal", "title": "Verre toekomst", "due_date": day},
    )  # fmt: skip
    assert response.status_code == 400
    assert "The due date must be between 1 January 2000 and 31 December 2099." in response.get_data(
        as_text=True
    )
    response = submit(client, item, f"/initiatives/{item}/steps/{step}", {"due_date": day})
    assert response.status_code == 400
    db_session.rollback()
    assert db_session.scalar(select(func.count()).where(Step.title == "Verre toekomst")) == 0


@pytest.mark.parametrize("text", ["Anna\x00", "Ann\x07a", "\x1b[31mAnna"])
def test_control_characters_in_the_register_name_are_refused_next_to_the_field(
    web_app, db_session, text
):
    client = browse_as(web_app.test_client())
    response = post_form(
        client, "/register",
        {"name": text, "email": "nul@example.nl", "password": "wachtwoord-123",
         "confirm": "wachtwoord-123"},
        token_from="/register",
    )  # fmt: skip
    assert response.status_code == 400
    assert CONTROL in response.get_data(as_text=True)
    db_session.rollback()
    assert db_session.scalar(select(Person).where(Person.email == "nul@example.nl")) is None


def test_nul_in_titles_and_notes_is_refused_and_line_breaks_are_fine(web_app, world, db_session):
    item = world["item"]
    resident = _as(web_app, world, "initiator")
    response = submit(resident, item, f"/initiatives/{item}/edit", {"title": "Kade\x00"})
    assert response.status_code == 400 and CONTROL in response.get_data(as_text=True)
    response = submit(
        resident, item, f"/initiatives/{item}/steps", {"stage_key": "proposal", "title": "a\x00"}
    )
    assert response.status_code == 400 and CONTROL in response.get_data(as_text=True)
    coach = _as(web_app, world, "coach")
    page = coach.get(f"/coach/initiatives/{item}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = coach.post(
        f"/coach/initiatives/{item}/notes", data={"csrf_token": token, "body": "Goed\x00 bezig"}
    )
    assert response.status_code in (302, 400)
    assert "Goed\x00" not in str(db_session.scalars(select(Initiative.title)).all())
    response = coach.post(
        f"/coach/initiatives/{item}/notes",
        data={"csrf_token": token, "body": "Twee regels:\r\n\tmet een tab"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("text", ["%00", "a%00b", "%1B"])
def test_control_characters_in_a_search_or_a_token_path_are_refused(web_app, world, text):
    coach = _as(web_app, world, "coach")
    assert coach.get(f"/coach/?q={text}").status_code == 400
    assert coach.get(f"/?q={text}").status_code == 400
    anonymous = _as(web_app, world, None)
    for url in (
        f"/invitations/{text}",
        f"/reminders/unsubscribe/{text}",
        f"/password/new/{text}",
        f"/calendar/{text}.ics",
        f"/calendar/initiative/{text}.ics",
    ):
        assert anonymous.get(url).status_code == 404, url


@pytest.mark.parametrize("signature", ["ü" * 24, "%C2%B2", "AAAA%00"])
def test_an_unsubscribe_link_with_a_forged_signature_is_an_invalid_link(web_app, world, signature):
    config = web_app.extensions["verbinding"].config
    good = unsubscribe_token(signing_secret(config), world["people"]["member"].id, ["step_due"])
    payload = good.split(".")[0]
    client = _as(web_app, world, None)
    assert client.get(f"/reminders/unsubscribe/{good}").status_code == 200
    response = client.get(f"/reminders/unsubscribe/{payload}.{signature}")
    assert response.status_code == 404
