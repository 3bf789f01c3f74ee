"""After logging in, each person lands where their work is, unless they asked for a page."""

from __future__ import annotations

import pytest

from engine.db import utcnow
from tests import factories
from tests.factories.people import PASSWORD
from tests.support import post_form


@pytest.mark.parametrize(
    ("role", "landing"), [("coach", "/coach/"), ("admin", "/admin/people"), ("resident", "/")]
)
def test_each_role_lands_on_its_own_page(client, db_session, role, landing):
    someone = factories.person(db_session, utcnow(), role=role)
    db_session.commit()
    response = post_form(client, "/login", {"email": someone.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == landing
    assert client.get(landing).status_code == 200


def test_a_page_asked_for_wins_and_a_foreign_one_is_refused(client, db_session):
    coach = factories.staff(db_session, utcnow())
    db_session.commit()
    data = {"email": coach.email, "password": PASSWORD}
    response = post_form(client, "/login?next=/notifications", data)
    assert response.headers["Location"] == "/notifications"
    client.delete_cookie("session")  # logged out
    response = post_form(client, "/login?next=//evil.example/", data)
    assert response.headers["Location"] == "/coach/"
