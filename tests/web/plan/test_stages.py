"""The path and the pace: target dates, pause and resume, skipped and own stages."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from engine.db import utcnow
from engine.models import Initiative, StagePlan, Step
from engine.operations import add_step, pause_initiative, set_target_date
from tests.factories import browse_as, initiative_with_group, stored_state, submit
from tests.support import read


def _text(response) -> str:
    return read(response.get_data(as_text=True))


def _arrange(db_session, **kw):
    item, group = initiative_with_group(db_session, utcnow(), **kw)
    db_session.commit()
    return item, group


def _plan(db_session, item):
    db_session.rollback()
    return [
        tuple(row)
        for row in db_session.execute(
            select(StagePlan.stage_key, StagePlan.is_skipped, StagePlan.target_date)
            .where(StagePlan.initiative_id == item.id)
            .order_by(StagePlan.position)
        )
    ]


def _stepper(page: str) -> list[str]:
    stepper = re.search(r'<ol class="vb-stepper">(.*?)</ol>', page, re.S).group(1)
    return re.findall(r"· ([a-z ]+)</span>\s*<h3[^>]*>([^<]+)</h3>", stepper)


def test_target_dates_per_stage(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    url = f"/initiatives/{item.id}/stages/execution/target"
    assert submit(client, item.id, url, {"target_date": "2027-06-01"}).status_code == 302
    assert ("execution", False, date(2027, 6, 1)) in _plan(db_session, item)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Target date: 1 June 2027" in page
    assert "set the target date of Execution to 1 June 2027" in page
    typed = {"target_date-day": "1", "target_date-month": "juni", "target_date-year": "2027"}
    response = submit(client, item.id, url, typed)
    assert response.status_code == 400 and 'value="juni"' in _text(response)
    assert submit(client, item.id, url, {"target_date": ""}).status_code == 302
    assert ("execution", False, None) in _plan(db_session, item)


def test_pause_with_a_reason_and_resume_shifting_the_open_dates(client, db_session):
    item, (anna, bram) = _arrange(db_session)
    now = utcnow()
    add_step(
        db_session, anna, item.id, stage_key="proposal", title="Buren vragen", now=now,
        due_date=date(2027, 1, 10),
    )  # fmt: skip
    set_target_date(
        db_session, anna, item.id, stage_key="execution", target_date=date(2027, 3, 1), now=now
    )
    db_session.commit()
    browse_as(client, bram)
    response = submit(client, item.id, f"/initiatives/{item.id}/pause", {"reason": ""})
    assert response.status_code == 400
    assert "Say why the group pauses, so others understand." in _text(response)
    response = submit(client, item.id, f"/initiatives/{item.id}/pause", {"reason": "Zomervakantie"})
    assert response.status_code == 302
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Zomervakantie" in page and "Shift open dates by the paused days" in page
    assert "This initiative is paused. Resume it first." in page  # the moves say why not
    # the pause began twelve days ago
    db_session.execute(
        update(Initiative)
        .where(Initiative.id == item.id)
        .values(paused_dt=now - timedelta(days=12), version=Initiative.version + 1)
    )
    db_session.commit()
    response = submit(
        client, item.id, f"/initiatives/{item.id}/resume",
        {"shift_dates": "y", "note": "Iedereen is terug"},
    )  # fmt: skip
    assert response.status_code == 302
    db_session.rollback()
    assert db_session.scalar(select(Step.due_date).where(Step.initiative_id == item.id)) == date(
        2027, 1, 22
    )
    assert ("execution", False, date(2027, 3, 13)) in _plan(db_session, item)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Pause the initiative" in page
    assert "Bram Bakker resumed the initiative after 12 days and moved 2 open dates" in page
    assert '<q lang="nl">Iedereen is terug</q>' in page


def test_resume_without_shifting_keeps_the_dates(client, db_session):
    item, (anna, _) = _arrange(db_session)
    now = utcnow()
    set_target_date(
        db_session, anna, item.id, stage_key="execution", target_date=date(2027, 3, 1), now=now
    )
    pause_initiative(db_session, anna, item.id, reason="Even rust", now=now - timedelta(days=5))
    db_session.commit()
    browse_as(client, anna)
    assert submit(client, item.id, f"/initiatives/{item.id}/resume", {}).status_code == 302
    assert ("execution", False, date(2027, 3, 1)) in _plan(db_session, item)


def test_skip_and_restore_an_optional_stage(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    response = submit(
        client, item.id, f"/initiatives/{item.id}/stages/visioning/skip",
        {"note": "De visie ligt er al"},
    )  # fmt: skip
    assert response.status_code == 302
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert ("skipped", "Visioning") in _stepper(page)
    assert 'took the stage Visioning out of the path: <q lang="nl">De visie ligt er al</q>' in page
    assert "From Proposal to Execution" in page  # the move goes straight on
    # a stage that is not optional cannot be skipped
    response = submit(client, item.id, f"/initiatives/{item.id}/stages/execution/skip")
    assert response.status_code == 409
    assert "Only an optional stage of the template can be skipped." in _text(response)
    restore = f"/initiatives/{item.id}/stages/visioning/restore"
    assert submit(client, item.id, restore).status_code == 302
    assert ("to come", "Visioning") in _stepper(_text(client.get(f"/initiatives/{item.id}")))


def test_insert_an_own_stage_and_remove_it_again(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    url = f"/initiatives/{item.id}/stages/proposal/insert"
    response = submit(client, item.id, url, {"title": "Bu", "description": "Te kort"})
    assert response.status_code == 400
    assert 'value="Bu"' in _text(response) and "Te kort" in _text(response)
    response = submit(client, item.id, url, {"title": "Buurt peilen", "description": "Een enquête"})
    assert response.status_code == 302
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert _stepper(page)[:2] == [("current stage", "Proposal"), ("to come", "Buurt peilen")]
    assert "Added by the group" in page and "the group's own stage" in page
    assert "added an own stage ‘Buurt peilen’ after Proposal" in page
    # a stage that does not allow it
    response = submit(client, item.id, f"/initiatives/{item.id}/stages/visioning/insert",
                      {"title": "Nog een"})  # fmt: skip
    assert response.status_code == 409
    assert "The template does not allow an own stage after this one." in _text(response)
    response = submit(client, item.id, f"/initiatives/{item.id}/stages/own_1/remove")
    assert response.status_code == 302
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Buurt peilen" not in re.search(r'<ol class="vb-stepper">(.*?)</ol>', page, re.S)[1]
    assert "removed the own stage ‘Buurt peilen’" in page


def test_the_current_stage_cannot_be_skipped_and_nothing_changes(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    db_session.rollback()
    before = stored_state(db_session, item.id)
    response = submit(client, item.id, f"/initiatives/{item.id}/stages/proposal/skip")
    assert response.status_code == 409
    db_session.rollback()
    assert stored_state(db_session, item.id) == before


# --- reshaping keeps the template's gates -----------------------------------------------------


def _older_template(db_session, name: str):
    """A template version stored before 'workflows check' refused it: 'start' into the optional
    visioning asks a majority, 'plan' out of it consent; one move around it cannot carry both."""
    from dataclasses import replace as changed

    from engine.workflows.definitions import DecisionRule
    from engine.workflows.versions import definition_of, latest_version, register_workflow

    defn = definition_of(latest_version(db_session, "proefproces"))
    moves = tuple(
        changed(t, decision=DecisionRule("majority")) if t.trigger == "start" else t
        for t in defn.transitions
    )
    register_workflow(db_session, changed(defn, name=name, transitions=moves), utcnow())


@pytest.mark.parametrize(
    ("locale", "refusal"),
    [
        (
            "en",
            "This stage cannot be left out: the move into it and the move out of it ask for "
            "different kinds of group decision, and one move cannot carry both.",
        ),
        (
            "nl",
            "Je kunt deze fase niet overslaan. De overstap naar deze fase en de overstap erna "
            "vragen elk een ander soort groepsbesluit. Eén overstap kan niet allebei.",
        ),
    ],
)
def test_a_skip_that_would_lose_a_decision_is_refused(client, db_session, locale, refusal):
    name = f"oudproces_{locale}"
    _older_template(db_session, name)
    item, (anna, _) = _arrange(db_session, workflow=name)
    browse_as(client, anna, locale=locale)
    db_session.rollback()
    before = stored_state(db_session, item.id)
    response = submit(client, item.id, f"/initiatives/{item.id}/stages/visioning/skip")
    assert response.status_code == 409
    problem = re.search(r'id="skip-visioning-problem"[^>]*>(.*?)</div>', _text(response), re.S)
    assert refusal in html.unescape(problem.group(1))
    db_session.rollback()
    assert stored_state(db_session, item.id) == before


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        (
            "en",
            {
                "enter": "On to the next stage",
                "gate": "Adopt the neighbourhood vision",
                "stopped": "Anna de Vries changed the path, so the group decision on ‘Adopt the "
                "neighbourhood vision’ no longer applies",
            },
        ),
        (
            "nl",
            {
                "enter": "Door naar de volgende fase",
                "gate": "Wijkvisie vaststellen",
                "stopped": "Anna de Vries heeft het pad veranderd, daarom geldt het groepsbesluit "
                "over ‘Wijkvisie vaststellen’ niet meer",
            },
        ),
    ],
)
def test_an_own_stage_sits_in_front_of_the_vision_decision(client, db_session, locale, words):
    from engine.operations import open_decision

    item, (anna, bram, cor) = _arrange(db_session, workflow="wijkvisie", members=2)
    db_session.execute(update(Initiative).where(Initiative.id == item.id).values(state="visioning"))
    open_decision(db_session, anna, item.id, "adopt_vision", utcnow())
    db_session.commit()
    browse_as(client, anna, locale=locale)
    response = submit(
        client, item.id, f"/initiatives/{item.id}/stages/visioning/insert",
        {"title": "Scholen bevragen", "description": ""},
    )  # fmt: skip
    assert response.status_code == 302
    page = html.unescape(_text(client.get(f"/initiatives/{item.id}")))
    assert words["stopped"] in page  # the open decision no longer fits: the history says why
    moves = re.search(r'aria-labelledby="moves"(.*?)</section>', page, re.S).group(1)
    assert words["enter"] in moves and "Scholen bevragen" in moves
    assert words["gate"] not in moves  # the vision is adopted on the way out of the own stage
    submit(client, item.id, f"/initiatives/{item.id}/moves/enter_own_1", {"note": ""})
    page = html.unescape(_text(client.get(f"/initiatives/{item.id}")))
    moves = re.search(r'aria-labelledby="moves"(.*?)</section>', page, re.S).group(1)
    assert words["gate"] in moves


def test_a_step_of_an_own_stage_has_its_page_and_holds_the_stage_in_place(client, db_session):
    """Reshaping × the step page: a step planned in the group's own stage opens on its own page
    and can be changed there; the stage cannot be removed from under it, and once the step is
    gone, so can the stage, and the step's page answers 404 rather than a broken page."""
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    url = f"/initiatives/{item.id}/stages/proposal/insert"
    assert submit(client, item.id, url, {"title": "Buurt peilen"}).status_code == 302
    response = submit(
        client, item.id, f"/initiatives/{item.id}/steps",
        {"stage_key": "own_1", "title": "Enquête maken", "owner": "", "due_date": ""},
    )  # fmt: skip
    assert response.status_code == 302
    db_session.rollback()
    step = db_session.scalars(select(Step).where(Step.initiative_id == item.id)).one()
    assert step.stage_key == "own_1"
    page_url = f"/initiatives/{item.id}/steps/{step.id}"
    page = _text(client.get(page_url))
    assert "Enquête maken" in page and "Buurt peilen" in page
    changes = {"title": "Enquête opstellen", "owner": str(anna.id)}
    response = submit(client, item.id, page_url, changes)
    assert response.status_code == 302
    db_session.rollback()
    assert (db_session.get(Step, step.id).title, db_session.get(Step, step.id).owner_id) == (
        "Enquête opstellen",
        anna.id,
    )
    # the own stage stays while it holds a step, and the step's page with it
    response = submit(client, item.id, f"/initiatives/{item.id}/stages/own_1/remove")
    assert response.status_code == 409
    assert "This stage still has steps. Remove or move them first." in _text(response)
    assert client.get(page_url).status_code == 200
    assert submit(client, item.id, f"{page_url}/remove").status_code == 302
    assert submit(client, item.id, f"/initiatives/{item.id}/stages/own_1/remove").status_code == 302
    assert client.get(page_url).status_code == 404
    assert ("to come", "Buurt peilen") not in _stepper(_text(client.get(f"/initiatives/{item.id}")))
