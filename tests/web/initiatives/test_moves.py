"""Next moves and group decisions, as the group makes them on the initiative page."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select, update

from engine.db import utcnow
from engine.models import Decision, Event, Initiative
from engine.operations import add_step, fire_transition
from tests.factories import browse_as, initiative_with_group, stored_state, submit


def _text(response) -> str:
    return response.get_data(as_text=True)


def _arrange(db_session, **kw):
    item, group = initiative_with_group(db_session, utcnow(), **kw)
    db_session.commit()
    return item, group


def _in_visioning(db_session, members=2):
    item, group = initiative_with_group(db_session, utcnow(), members=members)
    fire_transition(db_session, group[0], item.id, "start", utcnow())
    db_session.commit()
    return item, group


def test_a_move_with_a_note_lands_in_the_history(client, db_session):
    item, (anna, _) = _arrange(db_session, members=1)
    browse_as(client, anna)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Start the vision" in page and "Possible now." in page
    response = submit(
        client, item.id, f"/initiatives/{item.id}/moves/start",
        {"note": "Besloten op de bewonersavond"},
    )  # fmt: skip
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "Now: Visioning" in page
    assert (
        "Anna de Vries moved the initiative from Proposal to Visioning: "
        '<q lang="nl">Besloten op de bewonersavond</q>'
    ) in page
    stepper = re.search(r'<ol class="vb-stepper">(.*?)</ol>', page, re.S).group(1)
    assert "Stage 1 of 4 · done" in stepper and "Stage 2 of 4 · current stage" in stepper


def test_a_blocked_move_says_why_and_changes_nothing(client, db_session):
    item, (anna,) = _arrange(db_session, members=0)
    add_step(db_session, anna, item.id, stage_key="proposal", title="Flyers maken", now=utcnow())
    db_session.commit()
    browse_as(client, anna)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Not possible yet. What is still needed:" in page
    assert "One more member needed: invite a neighbour to join." in page
    db_session.rollback()
    before = stored_state(db_session, item.id)
    response = submit(client, item.id, f"/initiatives/{item.id}/moves/start", {"note": "Toch?"})
    assert response.status_code == 422
    page = _text(response)
    problem = re.search(r'id="move-start-problem"[^>]*>(.*?)</div>\s*</div>', page, re.S).group(1)
    assert "This move is not possible yet." in problem
    assert "One step of this stage is still open: complete it or remove it." in problem
    assert "Toch?" in page  # the note is kept
    db_session.rollback()
    assert stored_state(db_session, item.id) == before


def test_an_unknown_move_is_refused(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    response = submit(client, item.id, f"/initiatives/{item.id}/moves/fly_away")
    assert response.status_code == 400
    assert "This move is not possible from the current stage." in _text(response)


def test_consent_decision_open_vote_and_outcome(client, db_session):
    item, (anna, bram, cor) = _in_visioning(db_session)
    browse_as(client, anna)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "By consent: adopted unless someone objects within the set period." in page
    assert "The group decides on this first: open a group decision." in page
    response = submit(
        client, item.id, f"/initiatives/{item.id}/moves/plan/decision",
        {"question": "Gaan we de kade inrichten zoals getekend?"},
    )  # fmt: skip
    assert response.status_code == 302
    decision = db_session.scalar(select(Decision).where(Decision.initiative_id == item.id))
    vote_url = f"/initiatives/{item.id}/decisions/{decision.id}/vote"
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Gaan we de kade inrichten zoals getekend?" in page
    assert "Objections are possible until" in page and 'value="object"' in page
    # closing early is not allowed while people may still object
    response = submit(client, item.id, f"/initiatives/{item.id}/decisions/{decision.id}/close")
    assert response.status_code == 409
    assert "Members can still object until the end of the consent period." in _text(response)
    # a choice that this rule does not have
    response = submit(client, item.id, vote_url, {"choice": "against"})
    assert response.status_code == 400
    for person, comment in ((anna, "Mooi plan"), (bram, ""), (cor, "Eens")):
        voter = browse_as(client.application.test_client(), person)
        response = submit(voter, item.id, vote_url, {"choice": "for", "comment": comment})
        assert response.status_code == 302
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Outcome: agreed" in page
    assert "<strong>Anna de Vries</strong>: for — “Mooi plan”" in page
    assert "Adopted: 0 objections, 3 in favour, of 3 who decide." in page
    agreed = "The group agreed to ‘Go and execute’ (0 objections, 3 in favour, of 3 who decide)"
    assert agreed in page
    # now the move may be made
    response = submit(client, item.id, f"/initiatives/{item.id}/moves/plan", {"note": ""})
    assert response.status_code == 302
    assert "Now: Execution" in _text(client.get(f"/initiatives/{item.id}"))


def test_an_objection_rejects_and_the_group_can_ask_again(client, db_session):
    item, (anna, bram, _) = _in_visioning(db_session)
    browse_as(client, anna)
    submit(client, item.id, f"/initiatives/{item.id}/moves/plan/decision", {"question": "Nu?"})
    decision = db_session.scalar(select(Decision).where(Decision.initiative_id == item.id))
    bram_client = browse_as(client.application.test_client(), bram)
    response = submit(
        bram_client, item.id, f"/initiatives/{item.id}/decisions/{decision.id}/vote",
        {"choice": "object", "comment": "Eerst de buren vragen"},
    )  # fmt: skip
    assert response.status_code == 302
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Outcome: not agreed" in page
    assert "<strong>Bram Bakker</strong>: objects — “Eerst de buren vragen”" in page
    assert (
        'Bram Bakker objected to ‘Go and execute’: <q lang="nl">Eerst de buren vragen</q>' in page
    )
    assert f'action="/initiatives/{item.id}/moves/plan/decision"' in page  # ask again


def test_a_question_is_needed_and_a_decision_of_another_initiative_is_not_found(client, db_session):
    item, (anna, *_) = _in_visioning(db_session)
    other, (olga, *_) = _in_visioning(db_session)
    browse_as(client, anna)
    response = submit(client, item.id, f"/initiatives/{item.id}/moves/plan/decision")
    assert response.status_code == 400
    assert "Write down what the group decides on." in _text(response)
    olga_client = browse_as(client.application.test_client(), olga)
    submit(olga_client, other.id, f"/initiatives/{other.id}/moves/plan/decision", {"question": "?"})
    theirs = db_session.scalar(select(Decision.id).where(Decision.initiative_id == other.id))
    response = submit(
        client, item.id, f"/initiatives/{item.id}/decisions/{theirs}/vote", {"choice": "for"}
    )
    assert response.status_code == 404
    assert not db_session.scalar(
        select(Event.id).where(Event.initiative_id == other.id, Event.actor_id == anna.id)
    )


def _with_request(db_session, workflow: str):
    """A group in municipal support with one request; the coach accepted it."""
    from engine.operations import accept_support_request
    from tests.factories import filed_request, staff

    item, (anna, _) = _arrange(db_session, workflow=workflow)
    db_session.execute(
        update(Initiative).where(Initiative.id == item.id).values(state="municipal_support")
    )
    db_session.expire(item)
    row = filed_request(db_session, item, anna, utcnow())
    coach = staff(db_session, utcnow())
    accept_support_request(db_session, coach, row.id, now=utcnow(), note="Doen we.")
    db_session.commit()
    return item, anna


def _move_section(client, item, trigger: str) -> str:
    page = html.unescape(_text(client.get(f"/initiatives/{item.id}")))
    return re.search(rf'id="move-{trigger}"(.*?)</article>', page, re.S).group(1)


@pytest.mark.parametrize(
    ("locale", "title", "waiting"),
    [
        ("en", "Start the first projects", "waiting for the municipality's answer"),
        ("nl", "Aan de slag met de eerste projecten", "wacht nog op het antwoord van de gemeente"),
    ],
)
def test_an_accepted_request_no_longer_waits_for_an_answer(
    client, db_session, locale, title, waiting
):
    item, anna = _with_request(db_session, "wijkvisie")
    browse_as(client, anna, locale=locale)
    section = _move_section(client, item, "start_execution")
    assert title in section
    assert waiting not in section


@pytest.mark.parametrize(
    ("locale", "undelivered"),
    [
        ("en", "The municipality accepted one support request and has not delivered it yet."),
        ("nl", "De gemeente heeft één ondersteuningsvraag goedgekeurd, maar nog niet geleverd."),
    ],
)
def test_a_template_may_wait_for_delivery(client, db_session, locale, undelivered):
    item, anna = _with_request(db_session, "vergroening")
    browse_as(client, anna, locale=locale)
    assert undelivered in _move_section(client, item, "start_planting")
