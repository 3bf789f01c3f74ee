"""A wijkavond with several phones: edits of different steps, documents and maintenance tasks of
one initiative do not collide; two edits of the same one do, and the loser is told which.

Real concurrent sessions on the file-backed SQLite and on PostgreSQL (``committed_engine``);
every test makes its own initiative, committed rows stay in the test database.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.db import make_session_factory, unit_of_work
from engine.errors import Blocked, Conflict, Refused
from engine.maintenance.tasks import update_task
from engine.models import Decision, Event, Initiative, MaintenanceTask, Person, Step, Vote
from engine.operations import (
    add_step,
    attach_document,
    cast_vote,
    complete_step,
    fire_transition,
    open_decision,
    remove_document,
    update_initiative,
    update_step,
)
from engine.storage import LocalStorage
from tests import factories
from tests.engine.operations.races import all_win, one_winner, race
from tests.factories.support import PDF_BYTES

MIN = timedelta(minutes=1)


@pytest.fixture
def factory(committed_engine):
    return make_session_factory(committed_engine)


def _group(factory, now, title: str, steps: tuple[str, ...] = ()) -> tuple[int, int, int, list]:
    """A committed initiative of Anna and Bram in its proposal stage with open ``steps``:
    (initiative id, Anna's id, Bram's id, [(step id, version), …])."""
    with unit_of_work(factory) as s:
        item = factories.initiative(s, now, members=1, title=title)
        anna, bram = (m.person for m in item.memberships)
        made = [add_step(s, anna, item.id, stage_key="proposal", title=t, now=now) for t in steps]
        return item.id, anna.id, bram.id, [(step.id, step.version) for step in made]


def _state(factory, iid: int) -> dict:
    with factory() as s:
        initiative = s.execute(
            select(Initiative.version, Initiative.state).where(Initiative.id == iid)
        ).one()
        steps = s.execute(
            select(Step.id, Step.stage_key, Step.title, Step.is_done, Step.version)
            .where(Step.initiative_id == iid)
            .order_by(Step.id)
        ).all()
        kinds = s.scalars(select(Event.kind).where(Event.initiative_id == iid)).all()
        return {
            "version": initiative.version,
            "stage": initiative.state,
            "steps": [tuple(r) for r in steps],
            "kinds": sorted(kinds),
        }


def _edit(s: Session, who: int, iid: int, step: tuple[int, int], title: str, now):
    """Save a step's form as the page showed it (the step's version)."""
    step_id, seen = step
    update_step(s, s.get(Person, who), iid, step_id, title=title, owner_id=None, due_date=None,
                now=now, expected_version=seen)  # fmt: skip


# --- steps ----------------------------------------------------------------------------------


def test_two_members_edit_different_steps_at_once_and_both_are_saved(
    committed_engine, factory, now
):
    iid, anna, bram, steps = _group(factory, now, "Wijkavond Paddepoel", ("Flyers", "Zaal"))
    before = _state(factory, iid)

    def work(s: Session, index: int) -> None:
        who, title = [(anna, "Flyers rondbrengen"), (bram, "Zaal huren bij De Wissel")][index]
        _edit(s, who, iid, steps[index], title, now + MIN)

    all_win(race(committed_engine, factory, work))
    after = _state(factory, iid)
    assert [row[2] for row in after["steps"]] == ["Flyers rondbrengen", "Zaal huren bij De Wissel"]
    assert after["kinds"].count("step.changed") == 2
    assert after["version"] == before["version"]  # nobody's page of the initiative went stale


def test_two_members_edit_the_same_step_at_once_and_the_loser_is_told_which(
    committed_engine, factory, now
):
    iid, anna, bram, steps = _group(factory, now, "Kade Voermanhaven", ("Bankjes tellen",))
    before = _state(factory, iid)
    titles = ["Bankjes tellen langs de kade", "Bankjes en bakken tellen"]

    def work(s: Session, index: int) -> None:
        _edit(s, (anna, bram)[index], iid, steps[0], titles[index], now + MIN)

    results = race(committed_engine, factory, work)
    conflict = one_winner(results)
    winner = titles[results.index("ok")]
    message = conflict.message.render()
    assert f"Someone else changed the step “{winner}”" in message
    assert "Nothing was saved" in message
    after = _state(factory, iid)
    assert [row[2] for row in after["steps"]] == [winner]  # nothing of the loser's is there
    assert after["steps"][0][4] == steps[0][1] + 1
    assert after["kinds"].count("step.changed") == 1
    assert after["version"] == before["version"]


def test_members_add_steps_at_once_and_all_are_kept(committed_engine, factory, now):
    iid, anna, bram, _ = _group(factory, now, "Tegels eruit")
    before = _state(factory, iid)

    def work(s: Session, index: int) -> None:
        add_step(s, s.get(Person, (anna, bram, anna)[index]), iid, stage_key="visioning",
                 title=f"Idee {index}", now=now + MIN)  # fmt: skip

    all_win(race(committed_engine, factory, work, count=3))
    after = _state(factory, iid)
    assert sorted(row[2] for row in after["steps"]) == ["Idee 0", "Idee 1", "Idee 2"]
    with factory() as s:
        positions = s.scalars(select(Step.position).where(Step.initiative_id == iid)).all()
    assert sorted(positions) == [0, 1, 2]  # each saw the one before: no two in one place
    assert after["version"] == before["version"]


def test_a_stale_step_form_writes_nothing_and_a_fresh_one_for_another_step_works(factory, now):
    iid, anna, bram, steps = _group(factory, now, "Buurttuin", ("Zaad", "Gieters"))
    with unit_of_work(factory) as s:
        _edit(s, bram, iid, steps[0], "Zaad kopen", now + MIN)
    before = _state(factory, iid)
    with pytest.raises(Conflict) as caught:
        with unit_of_work(factory) as s:
            _edit(s, anna, iid, steps[0], "Zaad lenen", now + 2 * MIN)
    assert "Someone else changed the step “Zaad kopen”" in caught.value.message.render()
    assert _state(factory, iid) == before
    with unit_of_work(factory) as s:  # Anna's form of the other step was not made stale
        _edit(s, anna, iid, steps[1], "Gieters lenen", now + 2 * MIN)
        complete_step(s, s.get(Person, anna), iid, steps[1][0], now + 3 * MIN,
                      expected_version=steps[1][1] + 1)  # fmt: skip


# --- steps and moves ------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["move", "add"])
def test_adding_a_step_while_the_group_moves_on_is_counted_or_refused(
    committed_engine, factory, now, first
):
    """The move checks "every step is done": a step added at that moment is either seen by
    that check (the step came first: the move is blocked by it) or refused (the move came
    first: the stage was left). Never both, whoever reads first."""
    iid, anna, bram, _ = _group(factory, now, f"Speeltuin {first}")
    seen = _state(factory, iid)["version"]

    def work(s: Session, index: int) -> None:
        if index == 0:
            fire_transition(s, s.get(Person, anna), iid, "start", now + MIN,
                            expected_version=seen)  # fmt: skip
        else:
            add_step(s, s.get(Person, bram), iid, stage_key="proposal", title="Nog iets",
                     now=now + MIN)  # fmt: skip

    late = {1: 0.3} if first == "move" else {0: 0.3}
    moved, added = race(committed_engine, factory, work, late=late)
    after = _state(factory, iid)
    if first == "move":
        assert moved == "ok" and isinstance(added, Refused), (moved, added)
        assert "The group has moved on from this stage" in added.message.render()
        assert (after["stage"], after["steps"]) == ("visioning", [])
    else:
        assert added == "ok" and isinstance(moved, Blocked), (moved, added)
        assert [r.render() for r in moved.reasons] == [
            "One step of this stage is still open: complete it or remove it."
        ]
        assert after["stage"] == "proposal" and len(after["steps"]) == 1


@pytest.mark.parametrize("first", ["move", "edit"])
def test_editing_a_step_while_the_group_moves_on(committed_engine, factory, now, first):
    """Step edits do not collide with a move; once the stage is left, its steps are history:
    an edit that comes after the move is refused plainly, one that came before is kept."""
    iid, anna, bram, steps = _group(factory, now, f"Parkplan {first}", ("Schets",))
    with unit_of_work(factory) as s:
        complete_step(s, s.get(Person, anna), iid, steps[0][0], now)
        ahead = add_step(s, s.get(Person, anna), iid, stage_key="visioning", title="Visie",
                         now=now)  # fmt: skip
        ahead_step = (ahead.id, ahead.version)
    seen = _state(factory, iid)["version"]

    def work(s: Session, index: int) -> None:
        if index == 0:
            fire_transition(s, s.get(Person, anna), iid, "start", now + MIN,
                            expected_version=seen)  # fmt: skip
        elif index == 1:
            _edit(s, bram, iid, (steps[0][0], steps[0][1] + 1), "Schets met bankjes", now + MIN)
        else:
            _edit(s, bram, iid, ahead_step, "Visie op de kade", now + MIN)

    late = {1: 0.3, 2: 0.3} if first == "move" else {0: 0.3}
    moved, edited, edited_ahead = race(committed_engine, factory, work, count=3, late=late)
    assert moved == "ok" and edited_ahead == "ok"  # no conflict with the move
    after = _state(factory, iid)
    title = after["steps"][0][2]
    if first == "edit":  # it came first: kept, and part of the history
        assert edited == "ok"
        assert title == "Schets met bankjes"
        assert after["kinds"].count("step.changed") == 2
    else:
        assert isinstance(edited, Refused), edited
        assert "The group has moved on from this stage" in edited.message.render()
        assert title == "Schets"
        assert after["kinds"].count("step.changed") == 1
    assert after["steps"][1][2] == "Visie op de kade"
    assert after["stage"] == "visioning"


def test_details_leave_the_page_of_the_initiative_fresh(factory, now, tmp_path):
    iid, anna, bram, steps = _group(factory, now, "Groen dak", ("Offerte",))
    seen = _state(factory, iid)["version"]  # Anna opens the page to change the description
    storage = LocalStorage(tmp_path / "uploads")
    with unit_of_work(factory) as s:  # meanwhile Bram works on the details
        bram_p = s.get(Person, bram)
        add_step(s, bram_p, iid, stage_key="proposal", title="Dakdekker bellen", now=now + MIN)
        _edit(s, bram, iid, steps[0], "Offerte vragen", now + MIN)
        doc = attach_document(s, bram_p, iid, filename="dak.pdf", data=PDF_BYTES,
                              storage=storage, now=now + MIN)  # fmt: skip
        remove_document(s, bram_p, iid, doc.id, now + 2 * MIN, storage=storage,
                        expected_version=doc.version)  # fmt: skip
    with unit_of_work(factory) as s:
        update_initiative(s, s.get(Person, anna), iid, title="Groen dak op de school",
                          description="Sedum op het dak.", now=now + 3 * MIN,
                          expected_version=seen)  # fmt: skip
        assert s.get(Initiative, iid).last_activity_dt == now + 3 * MIN


# --- documents and maintenance tasks --------------------------------------------------------


def test_two_members_remove_different_documents_at_once(committed_engine, factory, now, tmp_path):
    iid, anna, bram, _ = _group(factory, now, "Fotoboek")
    storage = LocalStorage(tmp_path / "uploads")
    with unit_of_work(factory) as s:
        docs = [
            factories.document(
                s,
                s.get(Initiative, iid),
                s.get(Person, who),
                now,
                filename=f"foto-{who}.pdf",
                storage=storage,
            )  # fmt: skip
            for who in (anna, bram)
        ]
        shown = [(d.id, d.version) for d in docs]

    def work(s: Session, index: int) -> None:
        doc_id, seen = shown[index]
        remove_document(s, s.get(Person, (anna, bram)[index]), iid, doc_id, now + MIN,
                        storage=storage, expected_version=seen)  # fmt: skip

    all_win(race(committed_engine, factory, work))
    assert _state(factory, iid)["kinds"].count("document.removed") == 2


def _tasks(factory, now, title: str):
    """An initiative with an association and two recurring tasks: (iid, anna, bram, tasks)."""
    iid, anna, bram, _ = _group(factory, now, title)
    with unit_of_work(factory) as s:
        item = s.get(Initiative, iid)
        # both on the board: tasks are the board's to manage
        factories.complete_association(s, item, now, members={anna: "chair", bram: "secretary"})
        made = [
            factories.recurring_task(s, item, s.get(Person, anna), now, title=t)
            for t in ("Plantenbakken water geven", "Zwerfvuil prikken")
        ]
        return iid, anna, bram, [(t.id, t.version, t.rrule, t.starts_on) for t in made]


def _save_task(s: Session, who: int, iid: int, task, title: str, now):
    task_id, seen, rule, starts_on = task
    update_task(s, s.get(Person, who), iid, task_id, title=title, rule=rule,
                starts_on=starts_on, now=now, expected_version=seen)  # fmt: skip


def test_edits_of_different_tasks_at_once_are_both_saved(committed_engine, factory, now):
    iid, anna, bram, tasks = _tasks(factory, now, "Zelfbeheer kade")
    seen = _state(factory, iid)["version"]

    def work(s: Session, index: int) -> None:
        title = ["Bakken water geven", "Zwerfvuil prikken op zaterdag"][index]
        _save_task(s, (anna, bram)[index], iid, tasks[index], title, now + MIN)

    all_win(race(committed_engine, factory, work))
    with factory() as s:
        titles = s.scalars(
            select(MaintenanceTask.title)
            .where(MaintenanceTask.initiative_id == iid)
            .order_by(MaintenanceTask.id)
        ).all()
    assert titles == ["Bakken water geven", "Zwerfvuil prikken op zaterdag"]
    assert _state(factory, iid)["version"] == seen


def test_two_edits_of_one_task_at_once_the_loser_is_told_which(committed_engine, factory, now):
    iid, anna, bram, tasks = _tasks(factory, now, "Zelfbeheer plein")
    titles = ["Bakken water geven", "Planten water geven"]

    def work(s: Session, index: int) -> None:
        _save_task(s, (anna, bram)[index], iid, tasks[0], titles[index], now + MIN)

    results = race(committed_engine, factory, work)
    conflict = one_winner(results)
    winner = titles[results.index("ok")]
    assert f"Someone else changed the task “{winner}”" in conflict.message.render()
    with factory() as s:
        assert s.get(MaintenanceTask, tasks[0][0]).title == winner


# --- votes ----------------------------------------------------------------------------------


def test_the_group_votes_at_once_and_every_vote_counts(committed_engine, factory, now):
    with unit_of_work(factory) as s:
        item = factories.initiative(s, now, members=3, title="Wijkvisie Paddepoel")
        people = [m.person_id for m in item.memberships]
        fire_transition(s, s.get(Person, people[0]), item.id, "start", now)
        decision = open_decision(s, s.get(Person, people[0]), item.id, "plan", now,
                                 question="Gaan we uitvoeren?")  # fmt: skip
        iid, decision_id = item.id, decision.id
    seen = _state(factory, iid)["version"]  # everyone's page, opened at the wijkavond

    def work(s: Session, index: int) -> None:
        cast_vote(s, s.get(Person, people[index + 1]), decision_id, "for", now + MIN)

    all_win(race(committed_engine, factory, work, count=3))
    with factory() as s:
        votes = s.scalars(select(Vote.person_id).where(Vote.decision_id == decision_id)).all()
        assert sorted(votes) == sorted(people[1:])
        assert s.get(Decision, decision_id).status == "open"  # Anna has not voted yet
    after = _state(factory, iid)
    assert after["kinds"].count("decision.vote") == 3
    assert after["version"] == seen  # nobody's page went stale by a vote
