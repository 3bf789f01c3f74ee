"""What a page says after a submit: one error summary, focused, "Error:" in the title; a
success lands on its banner; nothing is removed without the second step (WCAG 3.3.1, 3.3.4)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine.db import utcnow
from engine.models import Step
from engine.models.support import CoachAssignment
from engine.operations import add_step
from tests import factories
from tests.factories import browse_as, initiative_with_group, submit
from tests.support import login, post_form


def _text(response) -> str:
    return response.get_data(as_text=True)


def _title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


def _step_count(db_session, item) -> int:
    db_session.rollback()
    return db_session.scalar(select(func.count(Step.id)).where(Step.initiative_id == item.id))


def test_an_empty_step_comes_back_with_one_focused_summary(client, db_session):
    item, (anna, _) = initiative_with_group(db_session, utcnow())
    db_session.commit()
    browse_as(client, anna)
    response = submit(
        client, item.id, f"/initiatives/{item.id}/steps", {"stage_key": "proposal", "title": ""}
    )
    assert response.status_code == 400
    page = _text(response)
    assert _title(page).startswith("Error: ")
    assert page.count("There is a problem</h2>") == 1
    summary = re.search(r'<div class="[^"]*vb-error-summary"[^>]*>(.*?)</div>\s*</div>', page, re.S)
    assert 'tabindex="-1" autofocus' in summary.group(0)
    assert "There is a problem</h2>" in summary.group(1)
    assert page.count(" autofocus") == 1
    assert _step_count(db_session, item) == 0


def test_a_page_without_errors_has_a_plain_title(client, db_session):
    item, (anna, _) = initiative_with_group(db_session, utcnow())
    db_session.commit()
    browse_as(client, anna)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert not _title(page).startswith("Error") and "autofocus" not in page


def test_a_success_lands_on_its_banner_with_the_way_back(client, db_session):
    item, (anna, _) = initiative_with_group(db_session, utcnow())
    db_session.commit()
    browse_as(client, anna)
    response = submit(
        client,
        item.id,
        f"/initiatives/{item.id}/steps",
        {"stage_key": "proposal", "title": "Foto's"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#melding")
    page = _text(client.get(response.headers["Location"]))
    banner = re.search(
        r'<div class="vb-flashes" id="melding".*?</div>\s*</div>\s*</div>', page, re.S
    )
    assert "The step is added." in banner.group(0)
    assert 'href="#stage-proposal"' in banner.group(0)  # back to where the form was
    assert 'href="#stage-proposal"' not in _text(client.get(f"/initiatives/{item.id}"))


def test_removing_a_step_or_an_own_stage_asks_first(client, db_session):
    item, (anna, _) = initiative_with_group(db_session, utcnow())
    step = add_step(db_session, anna, item.id, stage_key="proposal", title="Foto's", now=utcnow())
    db_session.commit()
    browse_as(client, anna)
    url = f"/initiatives/{item.id}/steps/{step.id}/remove"
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert re.search(rf'<details class="vb-details vb-confirm">.*?action="{url}"', page, re.S)
    response = submit(client, item.id, url, {"version": str(step.version), "confirmed": ""})
    assert response.status_code == 303 and _step_count(db_session, item) == 1
    assert "confirm with the button under the question" in _text(client.get(response.location))
    response = submit(client, item.id, url, {"version": str(step.version)})
    assert response.status_code == 302 and _step_count(db_session, item) == 0


@pytest.mark.parametrize("confirmed", ["", "yes"])
def test_ending_a_coach_assignment_asks_first(client, db_session, confirmed):
    coach = factories.staff(db_session, utcnow())
    item = factories.initiative(db_session, utcnow())
    db_session.flush()
    assignment = CoachAssignment(coach_id=coach.id, initiative_id=item.id, created_dt=utcnow())
    db_session.add(assignment)
    db_session.commit()
    login(client, coach.email, factories.PASSWORD)
    client.get("/language/en")  # the message ids
    page = "/coach/assignments"
    assert "End this assignment?" in _text(client.get(page))
    assignment_id = assignment.id
    data = {"assignment_id": str(assignment_id), "confirmed": confirmed}
    response = post_form(client, "/coach/assignments/remove", data, token_from=page)
    assert response.status_code == (303 if not confirmed else 302), _text(response)[:300]
    flashes = re.findall(
        r'utrecht-alert__message utrecht-paragraph">(.*?)<', _text(client.get(response.location))
    )
    db_session.rollback()
    db_session.expunge_all()
    still = db_session.scalar(
        select(func.count(CoachAssignment.id)).where(CoachAssignment.id == assignment_id)
    )
    assert still == (0 if confirmed else 1), flashes
