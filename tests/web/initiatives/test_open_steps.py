"""The move form lists the open steps the move leaves behind; the group takes them along or
closes them, in Dutch and in English, and the page and the history say what became of them."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from engine.db import utcnow
from engine.models import Step
from engine.operations import add_step, cast_vote, fire_transition, open_decision
from tests.factories import browse_as, initiative_with_group, stored_state, submit
from tests.support import read

DAY = timedelta(days=1)


def _text(response) -> str:
    return read(response.get_data(as_text=True))


def _move_form(page: str, trigger: str) -> str:
    return re.search(
        rf'<article class="vb-move[^"]*" id="move-{trigger}".*?</article>', page, re.S
    )[0]


def _seen(form: str) -> str:
    return re.search(r'name="expected_open_steps" value="([\d,]*)"', form).group(1)


def _ready_to_execute(db_session, *, steps=True):
    """Visioning with an agreed plan; open steps for Bram (dated) and nobody, one done."""
    now = utcnow()
    item, group = initiative_with_group(db_session, now, members=2)
    anna, bram, _ = group
    fire_transition(db_session, anna, item.id, "start", now)
    made = []
    if steps:
        for title, kw in (
            ("Buren bevragen", {"owner_id": bram.id, "due_date": (now + 10 * DAY).date()}),
            ("Zaal huren", {}),
        ):
            made.append(
                add_step(
                    db_session, anna, item.id, stage_key="visioning", title=title, now=now, **kw
                )
            )
    decision = open_decision(db_session, anna, item.id, "plan", now)
    for person in group:
        cast_vote(db_session, person, decision.id, "for", now)
    db_session.commit()
    return item, group, made


def _steps(db_session, item):
    db_session.rollback()
    db_session.expire_all()  # read what the app committed, not the copies made here
    return {
        s.title: (s.stage_key, s.is_done, s.closed_dt is not None)
        for s in db_session.scalars(select(Step).where(Step.initiative_id == item.id))
    }


def test_the_move_lists_the_open_steps_and_takes_them_along_by_default(client, db_session):
    item, (anna, *_), (asked, hall) = _ready_to_execute(db_session)
    browse_as(client, anna)
    form = _move_form(_text(client.get(f"/initiatives/{item.id}")), "plan")
    assert "2 steps are still open:" in form
    assert "Buren bevragen" in form and "Who: Bram Bakker" in form and "Due:" in form
    assert "Zaal huren" in form and "Who: nobody yet" in form
    assert "What happens to the open steps?" in form
    carry = re.search(r'<input[^>]*value="carry"[^>]*>', form)[0]
    assert "checked" in carry
    assert "Take them along to Execution" in form and "Close them without doing them" in form
    assert _seen(form) == f"{asked.id},{hall.id}"

    response = submit(
        client, item.id, f"/initiatives/{item.id}/moves/plan",
        {"expected_open_steps": _seen(form), "note": ""},
    )  # fmt: skip
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "The initiative has moved on. 2 open steps went along." in page
    assert _steps(db_session, item) == {
        "Buren bevragen": ("execution", False, False),
        "Zaal huren": ("execution", False, False),
    }
    now_section = re.search(
        r'<section class="vb-section" aria-labelledby="now">.*?</section>', page, re.S
    )[0]
    assert "(2 of 2 open)" in now_section
    assert now_section.count("Taken along from Visioning") == 2
    assert (
        "Anna de Vries took the open step ‘Buren bevragen’ along from Visioning to Execution, "
        "with its due date"
    ) in page
    assert "Anna de Vries took the open step ‘Zaal huren’ along from Visioning to Execution" in page


def test_closing_the_open_steps_keeps_them_in_the_past_stage_marked_closed(client, db_session):
    item, (anna, *_), (asked, hall) = _ready_to_execute(db_session)
    browse_as(client, anna)
    form = _move_form(_text(client.get(f"/initiatives/{item.id}")), "plan")
    response = submit(
        client, item.id, f"/initiatives/{item.id}/moves/plan",
        {"expected_open_steps": _seen(form), "open_steps": "close"},
    )  # fmt: skip
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "The initiative has moved on. 2 open steps are closed." in page
    assert _steps(db_session, item) == {
        "Buren bevragen": ("visioning", False, True),
        "Zaal huren": ("visioning", False, True),
    }
    past = re.search(
        r'<details class="vb-details"[^>]*id="stage-visioning">.*?</details>', page, re.S
    )[0]
    assert past.count("Closed, not done") == 2
    assert "when the group moved on" in past and 'action="' not in past  # history: no tools
    history = _text(client.get(f"/initiatives/{item.id}/history"))
    assert (
        "Anna de Vries closed the step ‘Buren bevragen’ of Visioning without it being done; "
        "its reminders for"
    ) in history
    assert (
        "Anna de Vries closed the step ‘Zaal huren’ of Visioning without it being done" in history
    )


def test_without_open_steps_the_form_stays_as_it_was(client, db_session):
    item, (anna, *_), _ = _ready_to_execute(db_session, steps=False)
    browse_as(client, anna)
    form = _move_form(_text(client.get(f"/initiatives/{item.id}")), "plan")
    assert "still open" not in form and 'name="open_steps"' not in form
    assert _seen(form) == ""
    response = submit(
        client, item.id, f"/initiatives/{item.id}/moves/plan", {"expected_open_steps": ""}
    )
    assert response.status_code == 302
    assert "The initiative has moved on." in _text(client.get(response.headers["Location"]))


def test_open_steps_the_page_did_not_show_stop_the_move(client, db_session):
    item, (anna, *_), (asked, hall) = _ready_to_execute(db_session)
    browse_as(client, anna)
    before = stored_state(db_session, item.id)
    db_session.rollback()
    response = submit(
        client, item.id, f"/initiatives/{item.id}/moves/plan",
        {"expected_open_steps": str(asked.id), "open_steps": "close", "note": "Klaar hiermee"},
    )  # fmt: skip
    assert response.status_code == 409
    page = _text(response)
    form = _move_form(page, "plan")
    assert "The open steps changed since you looked." in form
    assert 'id="move-plan-open_steps-error"' in form  # next to the choice
    assert "Klaar hiermee" in form  # the note is kept
    assert _seen(form) == f"{asked.id},{hall.id}"  # the list as it is now
    db_session.rollback()
    assert stored_state(db_session, item.id) == before


def test_an_unknown_choice_is_refused_at_the_choice(client, db_session):
    item, (anna, *_), (asked, hall) = _ready_to_execute(db_session)
    browse_as(client, anna)
    response = submit(
        client, item.id, f"/initiatives/{item.id}/moves/plan",
        {"expected_open_steps": f"{asked.id},{hall.id}", "open_steps": "vergeten"},
    )  # fmt: skip
    assert response.status_code == 400
    form = _move_form(_text(response), "plan")
    assert "Choose whether the open steps go along to the next stage or are closed." in form
    assert _steps(db_session, item)["Zaal huren"] == ("visioning", False, False)


def test_a_move_back_says_the_open_steps_stay_planned(client, db_session):
    item, (anna, *_), _ = _ready_to_execute(db_session)
    fire_transition(db_session, anna, item.id, "plan", utcnow())
    db_session.commit()
    browse_as(client, anna)
    form = _move_form(_text(client.get(f"/initiatives/{item.id}")), "rethink")
    assert "The open steps of this stage stay planned here, for when the group comes back." in form
    assert 'name="open_steps"' not in form and _seen(form) == ""


def test_the_move_form_in_dutch(client, db_session):
    item, (anna, *_), (asked, hall) = _ready_to_execute(db_session)
    browse_as(client, anna, locale="nl")
    form = _move_form(_text(client.get(f"/initiatives/{item.id}")), "plan")
    assert "2 stappen staan nog open:" in form
    assert "Wat gebeurt er met de open stappen?" in form
    assert "Neem ze mee naar Uitvoering" in form and "Sluit ze af zonder ze te doen" in form
    response = submit(
        client, item.id, f"/initiatives/{item.id}/moves/plan",
        {"expected_open_steps": _seen(form), "open_steps": "close"},
    )  # fmt: skip
    page = _text(client.get(response.headers["Location"]))
    assert "Het initiatief is door naar de volgende fase. 2 open stappen zijn afgesloten." in page
    assert "Afgesloten, niet gedaan" in page
    assert "Anna de Vries heeft de stap ‘Zaal huren’ van Visievorming afgesloten" in page
