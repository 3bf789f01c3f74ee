"""The initiative page as a resident group uses it: start, read, edit, share, look back."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.db import utcnow
from engine.models import Event, Initiative, Neighbourhood
from engine.operations import add_step
from tests import factories
from tests.factories import browse_as, initiative_with_group, stored_state, submit
from tests.support import post_form, read


def _text(response) -> str:
    return read(response.get_data(as_text=True))


def _arrange(db_session, **kw):
    item, group = initiative_with_group(db_session, utcnow(), **kw)
    db_session.commit()
    return item, group


def _state(db_session, item):
    db_session.rollback()  # a fresh look at what the app committed
    return stored_state(db_session, item.id)


# --- starting -------------------------------------------------------------------------------------


def test_start_an_initiative(client, db_session):
    anna = factories.person(db_session, utcnow(), "Anna")
    db_session.commit()
    browse_as(client, anna)
    page = _text(client.get("/initiatives/new"))
    # each template with a plain explanation; the wijken grouped by stadsdeel
    assert "Greening and self-management" in page and "Test process" in page
    assert "The stages:" in page and 'name="workflow"' in page
    assert re.search(r'<optgroup label="West">\s*<option value="\d+">Paddepoel</option>', page)
    paddepoel = db_session.scalar(select(Neighbourhood.id).where(Neighbourhood.name == "Paddepoel"))
    response = post_form(
        client,
        "/initiatives/new",
        {
            "workflow": "vergroening",
            "neighbourhood": paddepoel,
            "title": "Bankjes aan de Voermanhaven",
            "description": "Meer zitplekken langs het water, onderhouden door de buurt.",
            "visibility": "members",
        },
        token_from="/initiatives/new",
    )
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "Bankjes aan de Voermanhaven" in page and "Only visible to members" in page
    item = db_session.scalar(
        select(Initiative).where(Initiative.title == "Bankjes aan de Voermanhaven")
    )
    assert item.state == "proposal" and item.visibility == "members"
    # the stepper: an ordered list, the status in words, the current stage marked
    stepper = re.search(r'<ol class="vb-stepper">(.*?)</ol>', page, re.S).group(1)
    assert stepper.count("<li") == 5
    assert re.search(r'aria-current="step">\s*<span[^>]*>Stage 1 of 5 · current stage', stepper)
    assert stepper.count("to come") == 4
    assert "Co-produce" in stepper and "The municipality:" in stepper


def test_a_form_with_mistakes_comes_back_filled_in(client, db_session):
    anna = factories.person(db_session, utcnow(), "Anna")
    db_session.commit()
    browse_as(client, anna)
    response = post_form(
        client,
        "/initiatives/new",
        {"workflow": "vergroening", "title": "Xy", "description": "Ons plan voor de kade"},
        token_from="/initiatives/new",
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Ons plan voor de kade" in page and 'value="Xy"' in page
    assert 'aria-invalid="true"' in page and "Choose a neighbourhood" in page
    assert re.search(r'id="workflow-vergroening" value="vergroening"[^>]*checked', page)


def test_starting_needs_an_account(client):
    response = client.get("/initiatives/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- reading --------------------------------------------------------------------------------------


def test_anyone_reads_a_public_initiative_but_only_members_see_forms(client, db_session):
    item, _ = _arrange(db_session)
    browse_as(client)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert item.title in page and "Proposal" in page and "Next moves" in page
    assert "expected_version" not in page  # nothing to change for a visitor
    assert "Log in to join this initiative" in page


def test_a_members_only_initiative_is_hidden_from_outsiders(client, db_session):
    item, (anna, *_) = _arrange(db_session, visibility="members")
    outsider = factories.person(db_session, utcnow())
    db_session.commit()
    assert client.get(f"/initiatives/{item.id}").status_code == 404
    browse_as(client, outsider)
    assert client.get(f"/initiatives/{item.id}").status_code == 404
    assert client.get(f"/initiatives/{item.id}/history").status_code == 404
    member = browse_as(client.application.test_client(), anna)
    assert member.get(f"/initiatives/{item.id}").status_code == 200


def test_every_form_carries_the_version_of_what_it_changes(client, db_session):
    item, (anna, _) = _arrange(db_session)
    step = add_step(db_session, anna, item.id, stage_key="proposal", title="Flyers", now=utcnow())
    db_session.commit()
    browse_as(client, anna)
    page = _text(client.get(f"/initiatives/{item.id}"))
    forms = re.findall(r"<form method=\"post\"(.*?)</form>", page, re.S)
    base = f'action="/initiatives/{item.id}'
    ours = r"(edit|visibility|moves|decisions|stages|pause|resume|invitations|join|leave|members)"
    initiative = [f for f in forms if re.search(rf"{base}/{ours}", f)]
    assert len(initiative) > 8
    for form in initiative:  # the initiative itself: the page's version
        assert f'name="expected_version" value="{item.version}"' in form, form[:200]
        assert 'name="version"' not in form
    steps = [f for f in forms if f"{base}/steps/{step.id}" in f]
    assert len(steps) == 2  # done, remove; changing it has a page of its own
    assert f'href="/initiatives/{item.id}/steps/{step.id}"' in page
    edit_page = _text(client.get(f"/initiatives/{item.id}/steps/{step.id}"))
    steps += [
        f for f in re.findall(r"<form method=\"post\"(.*?)</form>", edit_page, re.S)
        if f"{base}/steps/{step.id}" in f
    ]  # fmt: skip
    assert len(steps) == 3
    for form in steps:  # one step: its own version, not the page's
        assert f'name="version" value="{step.version}"' in form, form[:200]
        assert "expected_version" not in form
    adding = [f for f in forms if re.search(rf'{base}/(steps|documents)"', f)]
    assert len(adding) >= 3  # a new step (the form, the suggestion), a file
    for form in adding:  # something new collides with nothing: no version at all
        assert "version" not in form, form[:200]


# --- changing -------------------------------------------------------------------------------------


def test_edit_title_and_description(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    response = submit(
        client, item.id, f"/initiatives/{item.id}/edit",
        {"title": "Groen en bankjes op de kade", "description": "Nu met bankjes."},
    )  # fmt: skip
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "Groen en bankjes op de kade" in page and "Nu met bankjes." in page
    assert "changed the title or the description" in page


def test_visibility_members_only_and_back(client, db_session):
    item, (anna, _) = _arrange(db_session)
    url = f"/initiatives/{item.id}/visibility"
    browse_as(client, anna)
    assert submit(client, item.id, url, {"visibility": "members"}).status_code == 302
    assert client.application.test_client().get(f"/initiatives/{item.id}").status_code == 404
    assert submit(client, item.id, url, {"visibility": "public"}).status_code == 302
    assert client.application.test_client().get(f"/initiatives/{item.id}").status_code == 200
    assert submit(client, item.id, url, {"visibility": "secret"}).status_code == 400


def test_a_stale_form_is_refused_kept_and_nothing_is_written(client, db_session):
    item, (anna, bram) = _arrange(db_session)
    browse_as(client, anna)
    page = _text(client.get(f"/initiatives/{item.id}"))
    old_version = re.search(r'name="expected_version" value="(\d+)"', page).group(1)
    # meanwhile Bram changes the initiative
    other = browse_as(client.application.test_client(), bram)
    changed = submit(other, item.id, f"/initiatives/{item.id}/edit", {"title": "Van Bram"})
    assert changed.status_code == 302
    before = _state(db_session, item)
    response = post_form(
        client,
        f"/initiatives/{item.id}/edit",
        {"expected_version": old_version, "title": "Groen en bankjes op de kade"},
    )
    assert response.status_code == 409
    page = _text(response)
    assert "Someone else changed this initiative at the same moment" in page
    assert 'value="Groen en bankjes op de kade"' in page  # the input is not lost
    assert "Van Bram" in page  # the page as it now is
    assert _state(db_session, item) == before


def test_a_step_added_from_an_older_page_is_not_stale(client, db_session):
    item, (anna, bram) = _arrange(db_session)
    browse_as(client, anna)
    client.get(f"/initiatives/{item.id}")  # Anna starts typing a step
    other = browse_as(client.application.test_client(), bram)
    assert (
        submit(other, item.id, f"/initiatives/{item.id}/edit", {"title": "Van Bram"}).status_code
        == 302
    )
    response = post_form(
        client,
        f"/initiatives/{item.id}/steps",
        {"stage_key": "proposal", "title": "Bankjes tellen langs de kade"},
    )
    assert response.status_code == 302
    assert "Bankjes tellen langs de kade" in _text(client.get(response.headers["Location"]))


@pytest.mark.parametrize("who", ["outsider", "coach"])
def test_outsiders_and_coaches_change_nothing(client, db_session, who):
    item, _ = _arrange(db_session)
    role = "coach" if who == "coach" else "resident"
    visitor = factories.person(db_session, utcnow(), role=role)
    db_session.commit()
    browse_as(client, visitor)
    before = _state(db_session, item)
    base = f"/initiatives/{item.id}"
    for url, data in [
        (f"{base}/edit", {"title": "Overgenomen"}),
        (f"{base}/visibility", {"visibility": "members"}),
        (f"{base}/steps", {"stage_key": "proposal", "title": "Iets"}),
        (f"{base}/moves/start", {"note": "Wij gaan door"}),
        (f"{base}/pause", {"reason": "Even niet"}),
        (f"{base}/stages/visioning/skip", {}),
        (f"{base}/invitations", {"email": "x@example.nl", "role": "member"}),
        (f"{base}/documents", {}),
    ]:
        assert post_form(client, url, data).status_code == 403, url
    assert _state(db_session, item) == before
    page = _text(client.get(base))
    assert "Add a step" not in page and "Pause the initiative" not in page


# --- the history ----------------------------------------------------------------------------------


def test_history_in_words_newest_first_and_paginated(client, db_session):
    item, (anna, bram) = _arrange(db_session)
    for n in range(30):
        add_step(db_session, bram, item.id, stage_key="proposal", title=f"Stap {n}", now=utcnow())
    db_session.commit()
    browse_as(client)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Bram Bakker added the step ‘Stap 29’" in page
    assert "The whole history (32 events)" in page
    first = _text(client.get(f"/initiatives/{item.id}/history"))
    assert "Page 1 of 2" in first and "Older events" in first
    assert first.index("Stap 29") < first.index("Stap 10")
    second = _text(client.get(f"/initiatives/{item.id}/history?page=2"))
    assert "Anna de Vries started the initiative" in second
    assert "Bram Bakker joined the group as member" in second
    events = db_session.scalars(select(Event).where(Event.initiative_id == item.id)).all()
    assert len(events) == 32
