"""An admin gives people their role in the web UI; nobody else can."""

from __future__ import annotations

import re
import uuid

import pytest

from engine.db import utcnow
from engine.models import Person
from tests import factories
from tests.support import login, post_form


@pytest.fixture
def people(db_session):
    now = utcnow()
    tag = uuid.uuid4().hex[:6]
    admin = factories.staff(db_session, now, role="admin", name=f"Beheerder {tag}")
    coach = factories.staff(db_session, now, name=f"Coach {tag}")
    joost = factories.person(db_session, now, f"Joost {tag}", password=factories.PASSWORD)
    anna = factories.person(db_session, now, f"Anna {tag}")  # never logs in
    factories.initiative(db_session, now, initiator=anna, title=f"Buurttuin {tag}")
    db_session.commit()
    return {"tag": tag, "admin": admin, "coach": coach, "joost": joost, "anna": anna}


def _as(client, person: Person):
    login(client, person.email, factories.PASSWORD)
    client.get("/language/en")
    return client


def _role(db_session, person: Person) -> str:
    db_session.expire_all()
    return db_session.get(Person, person.id).role


def _change(client, person: Person, role: str):
    return post_form(
        client, f"/admin/people/{person.id}/role", {"role": role}, token_from="/admin/people"
    )


def test_the_admin_finds_people_and_sees_a_labelled_role_choice_per_person(client, people):
    _as(client, people["admin"])
    page = client.get(f"/admin/people?q={people['tag']}").get_data(as_text=True)
    assert "4 people" in page
    joost = people["joost"]
    assert f'<label class="vb-visually-hidden" for="role-{joost.id}">Role of {joost.name}' in page
    assert "Your own role: another admin can change it." in page
    coaches = client.get(f"/admin/people?q={people['tag']}&role=coach").get_data(as_text=True)
    assert "1 person" in coaches and people["coach"].name in coaches


def test_the_admin_makes_a_resident_a_coach_who_then_opens_the_caseload(
    client, db_session, people, web_app
):
    _as(client, people["admin"])
    response = _change(client, people["joost"], "coach")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{people['joost'].name} is now: Process coach." in page
    assert _role(db_session, people["joost"]) == "coach"
    assert _as(web_app.test_client(), people["joost"]).get("/coach/").status_code == 200


def test_refusals_are_explained_and_change_nothing(client, db_session, people):
    _as(client, people["admin"])
    page = client.get(_change(client, people["admin"], "resident").headers["Location"])
    assert "You cannot change your own role" in page.get_data(as_text=True)
    assert _role(db_session, people["admin"]) == "admin"
    page = client.get(_change(client, people["anna"], "coach").headers["Location"])
    assert re.search(r"is a member of an initiative", page.get_data(as_text=True))
    assert _role(db_session, people["anna"]) == "resident"


@pytest.mark.parametrize("who", ["coach", "joost"])
def test_only_admins_change_roles(client, db_session, people, who):
    _as(client, people[who])
    assert client.get("/admin/people").status_code == 403
    assert _change(client, people["joost"], "admin").status_code == 403
    assert _role(db_session, people["joost"]) == "resident"
