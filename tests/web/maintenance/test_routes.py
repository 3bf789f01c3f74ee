"""Zelfbeheer through the browser's eyes (Flask client): association, agreement, review."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from engine.db import utcnow
from engine.maintenance.agreement import active_agreement
from engine.maintenance.association import get_association, members_of
from engine.models import Association, Event
from tests import factories
from tests.support import counted, login, post_form


@pytest.fixture
def quay(db_session):
    """A public greening initiative of Anna (initiator) and Bram (member), and outsiders."""
    now = utcnow()
    tag = uuid.uuid4().hex[:8]

    def someone(name, **kw):
        return factories.person(
            db_session, now, name, email=f"{name.split()[0].lower()}-{tag}@example.nl",
            password=factories.PASSWORD, **kw,
        )  # fmt: skip

    anna, bram, kees = someone("Anna de Vries"), someone("Bram Bos"), someone("Kees Buiten")
    coach = someone("Sanne Visser", role="coach")
    item = factories.initiative(db_session, now, workflow="vergroening", initiator=anna)
    from engine.operations import join_initiative

    join_initiative(db_session, bram, item.id, now)
    db_session.commit()
    return {"item": item, "anna": anna, "bram": bram, "kees": kees, "coach": coach}


def _url(item, path=""):
    return f"/initiatives/{item.id}/maintenance{path}"


def _english(client):
    client.get("/language/en")


def _register(client, w, **extra):
    item, anna, bram = w["item"], w["anna"], w["bram"]
    data = {
        "name": "Bewonersvereniging Voermanhaven",
        "kvk_number": "4101 2345",
        "contact_person": str(anna.id),
        f"place_{anna.id}": "chair",
        f"place_{bram.id}": "member",
        **extra,
    }
    return post_form(
        client, _url(item, "/association/edit"), data, token_from=_url(item, "/association/edit")
    )


def test_anyone_reads_the_pages_only_the_group_changes_them(client, quay):
    item = quay["item"]
    for path in ("", "/association", "/agreement", "/tasks", "/log"):
        assert client.get(_url(item, path)).status_code == 200
    response = client.get(_url(item, "/association/edit"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client, quay["kees"].email)
    assert client.get(_url(item, "/association/edit")).status_code == 403


def test_register_the_association_and_the_guard_is_satisfied(client, db_session, quay):
    item = quay["item"]
    login(client, quay["anna"].email)
    _english(client)
    page = client.get(_url(item, "/association")).get_data(as_text=True)
    assert "Register the residents&#39; association" in page
    response = _register(client, quay)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The association is saved." in page
    assert "Bewonersvereniging Voermanhaven" in page and "41012345" in page
    assert "Complete" in page
    db_session.expire_all()
    association = get_association(db_session, item.id)
    roles = {m.person_id: m.board_role for m in members_of(db_session, association.id)}
    assert roles == {quay["anna"].id: "chair", quay["bram"].id: None}
    # the initiative page shows the panel now, the association read for it
    show, reads = _page_and_association_reads(client, item)
    assert 'id="maintenance-heading"' in show and "Bewonersvereniging Voermanhaven" in show
    assert reads == 1


def _page_and_association_reads(client, item) -> tuple[str, int]:
    """The initiative page, and how many statements read its association."""
    reading = lambda sql, _: sql.lstrip().startswith("SELECT associations.id")  # noqa: E731
    with counted(client.application, reading) as sent:
        body = client.get(f"/initiatives/{item.id}").get_data(as_text=True)
    return body, len(sent)


def test_without_an_association_the_initiative_page_does_not_read_one(client, quay):
    """The page's guard facts say whether the group has an association: none, nothing read."""
    login(client, quay["anna"].email)
    _english(client)
    show, reads = _page_and_association_reads(client, quay["item"])
    assert reads == 0 and 'id="maintenance-heading"' not in show


def test_a_kvk_number_of_the_wrong_shape_is_tied_to_its_field(client, db_session, quay):
    item = quay["item"]
    login(client, quay["anna"].email)
    _english(client)
    response = _register(client, quay, kvk_number="123")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="kvk_number-error"' in page
    assert re.search(r'id="kvk_number"[^>]*aria-invalid="true"', page) or re.search(
        r'aria-invalid="true"[^>]*id="kvk_number"', page
    )
    assert "A KvK number has exactly 8 digits" in page
    assert 'value="Bewonersvereniging Voermanhaven"' in page  # what was typed stays
    assert (
        db_session.scalar(select(Association).where(Association.initiative_id == item.id)) is None
    )


def test_the_agreement_is_written_confirmed_and_reviewed(client, db_session, quay):
    item = quay["item"]
    login(client, quay["anna"].email)
    _english(client)
    _register(client, quay)
    form = _url(item, "/agreement/edit")
    response = post_form(
        client, form, {"association_duties": "", "municipality_duties": "Snoeien.",
                       "start_date": "2026-12-01"}, token_from=form,
    )  # fmt: skip
    assert response.status_code == 400
    assert "Describe what the association takes on." in response.get_data(as_text=True)
    response = post_form(
        client, form, {"association_duties": "Water geven.", "municipality_duties": "Snoeien.",
                       "start_date": "2026-12-01"}, token_from=form,
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(_url(item, "/agreement")).get_data(as_text=True)
    assert "not yet confirmed" in page and "Hold the review" in page
    # a resident cannot confirm for the municipality; a coach can
    token_page = _url(item, "/agreement")
    assert (
        post_form(client, _url(item, "/agreement/confirm"), token_from=token_page).status_code
        == 403
    )
    coach = client.application.test_client()
    login(coach, quay["coach"].email)
    assert post_form(coach, _url(item, "/agreement/confirm"), token_from="/").status_code == 302
    db_session.expire_all()
    agreement = active_agreement(db_session, item.id)
    assert agreement.confirmed_by_id == quay["coach"].id
    # the review: renew with a date in the past is refused, then renewed
    review = _url(item, "/agreement/review")
    response = post_form(
        client, review, {"outcome": "renew", "next_review": "2020-01-01"}, token_from=review
    )
    assert response.status_code == 400
    assert 'id="next_review-error"' in response.get_data(as_text=True)
    response = post_form(
        client, review, {"outcome": "renew", "next_review": "2030-06-01"}, token_from=review
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert str(active_agreement(db_session, item.id).review_date) == "2030-06-01"


def test_a_plain_member_reads_who_holds_the_review(client, quay):
    item = quay["item"]
    login(client, quay["anna"].email)
    _register(client, quay)
    login(client, quay["bram"].email)
    _english(client)
    page = client.get(_url(item, "/agreement/review")).get_data(as_text=True)
    assert "There is no maintenance agreement in force." in page
    assert client.get(_url(item, "/agreement/review")).status_code == 200


def test_every_change_is_in_the_history(client, db_session, quay):
    item = quay["item"]
    login(client, quay["anna"].email)
    _register(client, quay)
    kinds = db_session.scalars(select(Event.kind).where(Event.initiative_id == item.id)).all()
    assert "association.registered" in kinds
