"""Leaving a stage with open steps: the group takes them along or closes them, and the history,
the reminders and the calendar follow; nothing disappears."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.coach.caseload import caseload_row
from engine.errors import Blocked, Conflict, InvalidInput, Refused
from engine.models import Step
from engine.models.reminders import CalendarEntry, Reminder
from engine.operations import (
    add_step,
    cast_vote,
    complete_step,
    fire_transition,
    list_moves,
    open_decision,
    remove_step,
    reopen_step,
    skip_stage,
)
from engine.operations.common import load_facts
from engine.operations.open_steps import stages_left_behind
from engine.pages import load_page
from tests import factories
from tests.factories import events_of, stored_state

MIN = timedelta(minutes=1)
DAY = timedelta(days=1)


def _in_visioning(session, now):
    """A group of three in visioning (proefproces), with steps planned in visioning and one
    planned ahead in execution."""
    item, group = factories.initiative_with_group(session, now, members=2)
    anna, bram, _ = group
    fire_transition(session, anna, item.id, "start", now)
    asked = {"owner_id": bram.id, "due_date": (now + 10 * DAY).date()}
    steps = {
        title: add_step(session, anna, item.id, stage_key=stage, title=title, now=now, **kw)
        for stage, title, kw in (
            ("visioning", "Buren bevragen", asked),
            ("visioning", "Schets maken", {}),
            ("visioning", "Zaal huren", {"due_date": (now + 12 * DAY).date()}),
            ("execution", "Planten bestellen", {}),
        )
    }
    complete_step(session, anna, item.id, steps["Schets maken"].id, now)
    return item, group, steps


def _agree_on_plan(session, item, group, at):
    decision = open_decision(session, group[0], item.id, "plan", at)
    for person in group:
        cast_vote(session, person, decision.id, "for", at + MIN)


def _pending(session, step_id):
    return sorted(
        (r.id, r.deadline_date, r.person_id)
        for r in session.scalars(
            select(Reminder).where(
                Reminder.deadline_key == f"step:{step_id}", Reminder.status == "pending"
            )
        )
    )


def _entry(session, step_id):
    return session.scalar(select(CalendarEntry).where(CalendarEntry.key == f"step:{step_id}"))


def _checklist(session, item, stage_key):
    return [
        (s.title, s.is_done, s.is_closed)
        for s in session.scalars(
            select(Step)
            .where(Step.initiative_id == item.id, Step.stage_key == stage_key)
            .order_by(Step.position, Step.id)
        )
    ]


def test_carried_steps_join_the_next_checklist_with_owner_due_date_and_reminders(session, now):
    item, group, steps = _in_visioning(session, now)
    anna, bram, _ = group
    asked = steps["Buren bevragen"]
    reminders, entry = _pending(session, asked.id), _entry(session, asked.id)
    assert reminders and not entry.is_cancelled
    _agree_on_plan(session, item, group, now + DAY)

    fired = fire_transition(session, anna, item.id, "plan", now + 2 * DAY)  # carry: the default

    assert fired.carried == (asked.id, steps["Zaal huren"].id) and fired.closed == ()
    # after the step already planned there, in the order they had; the done one stays behind
    assert _checklist(session, item, "execution") == [
        ("Planten bestellen", False, False),
        ("Buren bevragen", False, False),
        ("Zaal huren", False, False),
    ]
    assert _checklist(session, item, "visioning") == [("Schets maken", True, False)]
    session.refresh(asked)
    assert (asked.owner_id, asked.due_date, asked.carried_from) == (
        bram.id, (now + 10 * DAY).date(), "visioning",
    )  # fmt: skip
    # the very same reminder rows stay pending; the calendar entry stays as it was
    assert _pending(session, asked.id) == reminders
    session.refresh(entry)
    assert not entry.is_cancelled and entry.sequence == 0
    carried = events_of(session, item.id, "step.carried")
    assert [(e.data["title"], e.from_stage, e.to_stage, e.actor_id) for e in carried] == [
        ("Buren bevragen", "visioning", "execution", anna.id),
        ("Zaal huren", "visioning", "execution", anna.id),
    ]
    assert carried[0].data["due"] == (now + 10 * DAY).date().isoformat()
    # the new stage's guards see them as open steps of this stage
    assert load_facts(session, item.id, anna.id).context.open_steps == 3


def test_closed_steps_stay_behind_marked_and_their_reminders_stop(session, now):
    item, group, steps = _in_visioning(session, now)
    anna = group[0]
    asked, hall = steps["Buren bevragen"], steps["Zaal huren"]
    _agree_on_plan(session, item, group, now + DAY)

    fired = fire_transition(
        session, anna, item.id, "plan", now + 2 * DAY, open_steps="close",
        expected_open_steps=[asked.id, hall.id],
    )  # fmt: skip

    assert fired.closed == (asked.id, hall.id) and fired.carried == ()
    assert _checklist(session, item, "visioning") == [
        ("Buren bevragen", False, True),
        ("Schets maken", True, False),
        ("Zaal huren", False, True),
    ]
    assert _checklist(session, item, "execution") == [("Planten bestellen", False, False)]
    session.refresh(asked)
    assert (asked.closed_dt, asked.closed_by_id, asked.is_done) == (now + 2 * DAY, anna.id, False)
    assert _pending(session, asked.id) == [] and _pending(session, hall.id) == []
    assert _entry(session, asked.id).is_cancelled
    closed = events_of(session, item.id, "step.closed")
    assert [(e.data["step"], e.from_stage, e.to_stage) for e in closed] == [
        (asked.id, "visioning", None),
        (hall.id, "visioning", None),
    ]
    # the past stage's list on the page still shows them, marked as closed, not as open
    page = load_page(session, item, anna)
    visioning = page.stage("visioning")
    assert visioning.status == "done"
    titles = [v.step.title for v in visioning.steps]
    assert titles == ["Buren bevragen", "Schets maken", "Zaal huren"]
    assert visioning.open_steps == [] and visioning.planned_steps == 1


def test_closed_steps_are_neither_open_nor_done(session, now):
    item, group, steps = _in_visioning(session, now)
    anna = group[0]
    asked = steps["Buren bevragen"]
    _agree_on_plan(session, item, group, now + DAY)
    # overdue by the time the group moves on
    assert caseload_row(session, item.id, now=now + 20 * DAY).overdue_steps == 2
    fire_transition(session, anna, item.id, "plan", now + 20 * DAY, open_steps="close")
    assert caseload_row(session, item.id, now=now + 20 * DAY).overdue_steps == 0

    # back in visioning: the guards count neither the closed steps nor as planned ones
    fire_transition(session, anna, item.id, "rethink", now + 21 * DAY)
    context = load_facts(session, item.id, anna.id).context
    assert (context.open_steps, context.total_steps) == (0, 1)
    with pytest.raises(Refused) as caught:
        complete_step(session, anna, item.id, asked.id, now + 22 * DAY)
    assert caught.value.message.render() == (
        "This step was closed without being done. Reopen it first."
    )
    with pytest.raises(Refused) as caught:
        remove_step(session, anna, item.id, asked.id, now + 22 * DAY)
    assert caught.value.message.render() == "A closed step is part of the history. Reopen it first."
    # the group can take it up again: open once more, with its reminders
    reopen_step(session, anna, item.id, asked.id, now + 22 * DAY)
    session.refresh(asked)
    assert asked.is_open and asked.closed_dt is None
    assert events_of(session, item.id, "step.reopened")[-1].data["step"] == asked.id
    assert load_facts(session, item.id, anna.id).context.open_steps == 1


def test_a_guard_on_open_steps_still_blocks_whatever_the_choice(session, now):
    item, (anna, _bram) = factories.initiative_with_group(session, now, members=1)
    add_step(session, anna, item.id, stage_key="proposal", title="Flyers maken", now=now)
    before = stored_state(session, item.id)
    for choice in ("carry", "close"):
        with pytest.raises(Blocked):
            fire_transition(session, anna, item.id, "start", now + MIN, open_steps=choice)
    assert stored_state(session, item.id) == before


def test_an_unknown_choice_is_refused_at_its_field(session, now):
    item, group, _steps = _in_visioning(session, now)
    _agree_on_plan(session, item, group, now + DAY)
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput) as caught:
        fire_transition(session, group[0], item.id, "plan", now + 2 * DAY, open_steps="forget")
    assert caught.value.field == "open_steps"
    assert stored_state(session, item.id) == before


@pytest.mark.parametrize("seen", ["none", "one", "both and another"])
def test_a_choice_made_on_other_open_steps_is_a_conflict(session, now, seen):
    item, group, steps = _in_visioning(session, now)
    _agree_on_plan(session, item, group, now + DAY)
    ids = {
        "none": [],
        "one": [steps["Buren bevragen"].id],
        "both and another": [steps["Buren bevragen"].id, steps["Zaal huren"].id, 999_999],
    }[seen]
    before = stored_state(session, item.id)
    with pytest.raises(Conflict) as caught:
        fire_transition(
            session, group[0], item.id, "plan", now + 2 * DAY, open_steps="close",
            expected_open_steps=ids,
        )  # fmt: skip
    assert caught.value.field == "open_steps"
    assert stored_state(session, item.id) == before


def test_a_move_back_leaves_the_steps_planned_where_they_are(session, now):
    item, group, steps = _in_visioning(session, now)
    anna = group[0]
    _agree_on_plan(session, item, group, now + DAY)
    fire_transition(session, anna, item.id, "plan", now + 2 * DAY)
    hall = steps["Zaal huren"]
    reminders = _pending(session, hall.id)
    assert reminders

    fired = fire_transition(session, anna, item.id, "rethink", now + 3 * DAY, open_steps="close")

    assert fired.carried == fired.closed == ()
    assert [t for t, done, closed in _checklist(session, item, "execution") if not done] == [
        "Planten bestellen", "Buren bevragen", "Zaal huren",
    ]  # fmt: skip
    assert _pending(session, hall.id) == reminders
    page = load_page(session, item, anna)
    (forward,) = [m for m in page.moves if m.trigger == "plan"]
    assert page.stage("execution").status == "upcoming"
    assert page.left_behind(forward) == []  # the way forward leaves visioning's: none open


def test_steps_of_a_stage_passed_over_go_along_too(session, now):
    item, (anna, bram) = factories.initiative_with_group(session, now, members=1)
    survey = add_step(
        session, anna, item.id, stage_key="visioning", title="Enquête houden", now=now,
        due_date=(now + 5 * DAY).date(),
    )  # fmt: skip
    skip_stage(session, anna, item.id, "visioning", now + MIN)
    # the move around the skipped stage carries the consent of the move out of it
    decision = open_decision(session, anna, item.id, "start", now + MIN)
    for person in (anna, bram):
        cast_vote(session, person, decision.id, "for", now + MIN)
    (move,) = list_moves(session, anna, item)
    page = load_page(session, item, anna)
    assert [v.step.id for v in page.left_behind(move)] == [survey.id]

    fired = fire_transition(
        session, anna, item.id, "start", now + 2 * MIN, expected_open_steps=[survey.id]
    )

    assert (fired.to_stage, fired.carried) == ("execution", (survey.id,))
    assert _checklist(session, item, "execution") == [("Enquête houden", False, False)]
    (event,) = events_of(session, item.id, "step.carried")
    assert (event.from_stage, event.to_stage) == ("visioning", "execution")
    assert _pending(session, survey.id)


@pytest.mark.parametrize(
    ("state", "dest", "behind"),
    [
        ("b", "c", ("b",)),
        ("a", "d", ("a", "b", "c")),
        ("c", "a", ()),
        ("b", "b", ()),
        ("x", "b", ()),
    ],
)
def test_the_stages_a_move_leaves_behind(state, dest, behind):
    assert stages_left_behind(("a", "b", "c", "d"), state, dest) == behind
