"""The checklist of a stage: add, change, assign, date, reorder, complete, reopen, remove."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from engine.db import utcnow
from engine.models import Step
from engine.operations import add_step
from tests import factories
from tests.factories import browse_as, initiative_with_group, submit
from tests.support import read


def _text(response) -> str:
    return read(response.get_data(as_text=True))


def _arrange(db_session, **kw):
    item, group = initiative_with_group(db_session, utcnow(), **kw)
    db_session.commit()
    return item, group


def _steps(db_session, item, stage="proposal"):
    db_session.rollback()
    return list(
        db_session.execute(
            select(Step.title, Step.is_done, Step.owner_id, Step.due_date)
            .where(Step.initiative_id == item.id, Step.stage_key == stage)
            .order_by(Step.position, Step.id)
        )
    )


def _step_ids(db_session, item, stage="proposal"):
    db_session.rollback()
    return list(
        db_session.scalars(
            select(Step.id)
            .where(Step.initiative_id == item.id, Step.stage_key == stage)
            .order_by(Step.position, Step.id)
        )
    )


def test_add_assign_and_date_a_step(client, db_session):
    item, (anna, bram) = _arrange(db_session)
    browse_as(client, anna)
    response = submit(
        client, item.id, f"/initiatives/{item.id}/steps",
        {"stage_key": "proposal", "title": "Foto's maken van de kade", "owner": str(bram.id),
         "due_date": "2027-01-15"},
    )  # fmt: skip
    assert response.status_code == 302
    expected = ("Foto's maken van de kade", False, bram.id, date(2027, 1, 15))
    assert _steps(db_session, item) == [expected]
    page = _text(client.get(f"/initiatives/{item.id}"))
    checklist = re.search(r'<ol class="vb-checklist"(.*?)</ol>', page, re.S).group(1)
    assert "Foto&#39;s maken van de kade" in checklist and "Bram Bakker" in checklist
    assert "15 January 2027" in checklist and ">Open<" in checklist
    assert "Anna de Vries added the step ‘Foto&#39;s maken van de kade’" in page


def test_a_suggested_step_is_added_with_one_button(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Steps the template suggests for this stage:" in page and "Write the idea down" in page
    response = submit(
        client, item.id, f"/initiatives/{item.id}/steps",
        {"stage_key": "proposal", "title": "Write the idea down"},
    )  # fmt: skip
    assert response.status_code == 302
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Steps the template suggests" not in page  # offered once
    assert [s.title for s in _steps(db_session, item)] == ["Write the idea down"]


def test_a_step_without_title_is_refused_next_to_the_form(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    response = submit(
        client, item.id, f"/initiatives/{item.id}/steps",
        {"stage_key": "proposal", "title": "", "due_date-day": "morgen", "due_date-month": "",
         "due_date-year": ""},
    )  # fmt: skip
    assert response.status_code == 400
    page = _text(response)
    form = re.search(r'<form [^>]*id="step-new-proposal".*?</form>', page, re.S).group(0)
    assert 'id="step-new-proposal-title"' in form and 'aria-invalid="true"' in form
    assert "Give the step a title." in form and 'value="morgen"' in form
    assert _steps(db_session, item) == []


def test_rename_reorder_complete_reopen_and_remove(client, db_session):
    item, (anna, bram) = _arrange(db_session)
    for title in ("Flyers", "Buren vragen", "Plan schrijven"):
        add_step(db_session, anna, item.id, stage_key="proposal", title=title, now=utcnow())
    db_session.commit()
    flyers, buren, plan = _step_ids(db_session, item)
    base = f"/initiatives/{item.id}/steps"
    browse_as(client, bram)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert 'Move up<span class="vb-visually-hidden">: Buren vragen</span>' in page
    # rename and assign
    response = submit(
        client, item.id, f"{base}/{flyers}",
        {"title": "Flyers drukken", "owner": str(bram.id), "due_date": ""},
    )  # fmt: skip
    assert response.status_code == 302
    # move the last one up, then the first one down
    assert submit(client, item.id, f"{base}/{plan}/move", {"position": "1"}).status_code == 302
    assert submit(client, item.id, f"{base}/{flyers}/move", {"position": "1"}).status_code == 302
    assert [s.title for s in _steps(db_session, item)] == [
        "Plan schrijven",
        "Flyers drukken",
        "Buren vragen",
    ]
    # complete, reopen, complete again
    assert submit(client, item.id, f"{base}/{buren}/done").status_code == 302
    assert submit(client, item.id, f"{base}/{buren}/reopen").status_code == 302
    assert submit(client, item.id, f"{base}/{buren}/done").status_code == 302
    # a done step cannot be removed; an open one can
    response = submit(client, item.id, f"{base}/{buren}/remove")
    assert response.status_code == 409
    assert "A completed step is part of the history. Reopen it first." in _text(response)
    assert submit(client, item.id, f"{base}/{plan}/remove").status_code == 302
    assert _steps(db_session, item) == [
        ("Flyers drukken", False, bram.id, None),
        ("Buren vragen", True, None, None),
    ]
    page = _text(client.get(f"/initiatives/{item.id}/history"))
    for words in (
        "Bram Bakker changed the step ‘Flyers drukken’: renamed it from ‘Flyers’, "
        "gave it to Bram Bakker",
        "Bram Bakker moved the step ‘Plan schrijven’ to place 2",
        "Bram Bakker completed the step ‘Buren vragen’",
        "Bram Bakker reopened the step ‘Buren vragen’",
        "Bram Bakker removed the step ‘Plan schrijven’",
    ):
        assert words in page, words


def test_steps_of_an_upcoming_stage_can_be_planned(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Plan steps ahead" in page
    # the current stage carries its form; a stage ahead links to a page with it
    assert 'id="step-new-proposal"' in page and 'id="step-new-execution"' not in page
    ahead = f"/initiatives/{item.id}/stages/execution/steps/new"
    assert f'href="{ahead}"' in page and "Add a step to Execution" in page
    form_page = client.get(ahead)
    assert form_page.status_code == 200
    form = re.search(r'<form [^>]*id="step-new-execution".*?</form>', _text(form_page), re.S)
    assert form and f'action="/initiatives/{item.id}/steps"' in form.group(0)
    assert 'name="stage_key" value="execution"' in form.group(0)
    assert "version" not in form.group(0)  # something new collides with nothing
    assert "Bram Bakker" in form.group(0)  # the owner list: the group's members
    response = submit(
        client, item.id, f"/initiatives/{item.id}/steps",
        {"stage_key": "execution", "title": "Planten bestellen"},
    )  # fmt: skip
    assert response.status_code == 302
    assert [s.title for s in _steps(db_session, item, "execution")] == ["Planten bestellen"]
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Steps (1)" in page


def test_a_step_ahead_refused_shows_its_form_on_the_initiative_page(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    response = submit(
        client, item.id, f"/initiatives/{item.id}/steps",
        {"stage_key": "execution", "title": "", "due_date-day": "31", "due_date-month": "2",
         "due_date-year": "2031"},
    )  # fmt: skip
    assert response.status_code == 400
    page = _text(response)
    form = re.search(r'<form [^>]*id="step-new-execution".*?</form>', page, re.S).group(0)
    assert 'aria-invalid="true"' in form and "Give the step a title." in form
    assert 'value="31"' in form and 'value="2031"' in form  # what was typed stays
    assert _steps(db_session, item, "execution") == []


def test_the_page_to_add_a_step_is_the_groups_own(client, db_session):
    item, (anna, _) = _arrange(db_session)
    outsider = factories.person(db_session, utcnow())
    db_session.commit()
    ahead = f"/initiatives/{item.id}/stages/execution/steps/new"
    browse_as(client, outsider)
    assert client.get(ahead).status_code in (403, 404)
    browse_as(client, anna)
    assert client.get(f"/initiatives/{item.id}/stages/nowhere/steps/new").status_code == 404
    client.get("/language/nl")
    page = _text(client.get(ahead))
    assert "Een stap toevoegen aan" in page and '<html lang="nl"' in page


def test_a_step_of_another_initiative_is_not_found(client, db_session):
    item, (anna, _) = _arrange(db_session)
    other, (olga, _) = _arrange(db_session)
    add_step(db_session, olga, other.id, stage_key="proposal", title="Van Olga", now=utcnow())
    db_session.commit()
    (theirs,) = _step_ids(db_session, other)
    browse_as(client, anna)
    response = submit(client, item.id, f"/initiatives/{item.id}/steps/{theirs}/done")
    assert response.status_code == 404
    assert _steps(db_session, other)[0].is_done is False


def test_an_owner_from_outside_the_group_is_refused(client, db_session):
    item, (anna, _) = _arrange(db_session)
    other, (olga, _) = _arrange(db_session)
    browse_as(client, anna)
    response = submit(
        client, item.id, f"/initiatives/{item.id}/steps",
        {"stage_key": "proposal", "title": "Iets", "owner": str(olga.id)},
    )  # fmt: skip
    assert response.status_code == 400
    assert "A step can only be assigned to a member of the initiative." in _text(response)
    assert _steps(db_session, item) == []
