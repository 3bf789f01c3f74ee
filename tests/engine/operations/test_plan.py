"""The residents' own plan: steps, target dates, and the pace they choose (pause, resume)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.errors import InvalidInput, NotFound, Refused
from engine.models import StagePlan, Step
from engine.operations import (
    add_step,
    complete_step,
    fire_transition,
    move_step,
    pause_initiative,
    remove_step,
    reopen_step,
    resume_initiative,
    set_target_date,
    update_step,
)
from tests import factories
from tests.factories import stored_state

MIN = timedelta(minutes=1)


def _people(item):
    return [m.person for m in item.memberships]


def _titles(session, item, stage):
    return list(
        session.scalars(
            select(Step.title)
            .where(Step.initiative_id == item.id, Step.stage_key == stage)
            .order_by(Step.position, Step.id)
        )
    )


def _target(session, item, stage):
    return session.scalar(
        select(StagePlan.target_date).where(
            StagePlan.initiative_id == item.id, StagePlan.stage_key == stage
        )
    )


def _kinds(session, item):
    return [e.kind for e in factories.events_of(session, item.id)]


# --- steps --------------------------------------------------------------------------------


def test_a_step_goes_through_its_life_and_each_change_is_recorded(session, now):
    item = factories.initiative(session, now, members=1)
    anna, bram = _people(item)
    step = add_step(
        session, anna, item.id, stage_key="proposal", title=" Buren  bellen ",
        owner_id=bram.id, due_date=date(2026, 12, 10), now=now + MIN,
    )  # fmt: skip
    assert (step.title, step.owner_id, step.position, step.is_done) == (
        "Buren bellen", bram.id, 0, False,
    )  # fmt: skip
    update_step(
        session, bram, item.id, step.id, title="Buren bellen en mailen", owner_id=anna.id,
        due_date=None, now=now + 2 * MIN,
    )  # fmt: skip
    changed = factories.events_of(session, item.id, "step.changed")[-1]
    assert changed.data["changes"] == {
        "title": ["Buren bellen", "Buren bellen en mailen"],
        "owner": [str(bram.id), str(anna.id)],
        "due": ["2026-12-10", None],
    }
    complete_step(session, bram, item.id, step.id, now + 3 * MIN)
    assert (step.is_done, step.done_by_id, step.done_dt) == (True, bram.id, now + 3 * MIN)
    with pytest.raises(Refused):
        complete_step(session, bram, item.id, step.id, now + 4 * MIN)
    reopen_step(session, anna, item.id, step.id, now + 5 * MIN)
    assert (step.is_done, step.done_by_id, step.done_dt) == (False, None, None)
    with pytest.raises(Refused):
        reopen_step(session, anna, item.id, step.id, now + 6 * MIN)
    remove_step(session, anna, item.id, step.id, now + 7 * MIN)
    assert _titles(session, item, "proposal") == []
    assert _kinds(session, item)[-5:] == [
        "step.added", "step.changed", "step.done", "step.reopened", "step.removed",
    ]  # fmt: skip


def test_an_unchanged_step_is_not_an_event(session, now):
    item = factories.initiative(session, now)
    anna = _people(item)[0]
    step = add_step(session, anna, item.id, stage_key="proposal", title="Flyer", now=now)
    before = stored_state(session, item.id)
    update_step(
        session, anna, item.id, step.id, title="Flyer", owner_id=None, due_date=None, now=now
    )
    assert stored_state(session, item.id) == before


def test_steps_are_reordered(session, now):
    item = factories.initiative(session, now)
    anna = _people(item)[0]
    steps = [
        add_step(session, anna, item.id, stage_key="proposal", title=t, now=now)
        for t in ("Een", "Twee", "Drie")
    ]
    move_step(session, anna, item.id, steps[2].id, position=0, now=now + MIN)
    assert _titles(session, item, "proposal") == ["Drie", "Een", "Twee"]
    move_step(session, anna, item.id, steps[2].id, position=99, now=now + 2 * MIN)
    assert _titles(session, item, "proposal") == ["Een", "Twee", "Drie"]
    moved = factories.events_of(session, item.id, "step.moved")
    assert [e.data["position"] for e in moved] == [0, 2]


def test_only_members_own_steps(session, now):
    item = factories.initiative(session, now)
    anna = _people(item)[0]
    outsider = factories.person(session, now, "Niet lid")
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput):
        add_step(
            session, anna, item.id, stage_key="proposal", title="X", owner_id=outsider.id, now=now
        )
    assert stored_state(session, item.id) == before
    step = add_step(session, anna, item.id, stage_key="proposal", title="X", now=now + MIN)
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput):
        update_step(
            session, anna, item.id, step.id, title="Y", owner_id=outsider.id, due_date=None,
            now=now + 2 * MIN,
        )  # fmt: skip
    assert stored_state(session, item.id) == before


@pytest.mark.parametrize(
    "stage, title, error",
    [("proposal", "", InvalidInput), ("proposal", "x" * 301, InvalidInput),
     ("nergens", "Iets", NotFound)],
)  # fmt: skip
def test_bad_steps_are_refused(session, now, stage, title, error):
    item = factories.initiative(session, now)
    before = stored_state(session, item.id)
    with pytest.raises(error):
        add_step(session, _people(item)[0], item.id, stage_key=stage, title=title, now=now)
    assert stored_state(session, item.id) == before


def test_a_done_step_cannot_be_removed(session, now):
    item = factories.initiative(session, now)
    anna = _people(item)[0]
    step = add_step(session, anna, item.id, stage_key="proposal", title="Klaar", now=now)
    complete_step(session, anna, item.id, step.id, now + MIN)
    before = stored_state(session, item.id)
    with pytest.raises(Refused):
        remove_step(session, anna, item.id, step.id, now + 2 * MIN)
    assert stored_state(session, item.id) == before


def test_a_step_of_another_initiative_is_not_found(session, now):
    mine = factories.initiative(session, now)
    theirs = factories.initiative(session, now, title="Coenderspark")
    step = add_step(
        session, _people(theirs)[0], theirs.id, stage_key="proposal", title="Hun stap", now=now
    )
    with pytest.raises(NotFound):
        complete_step(session, _people(mine)[0], mine.id, step.id, now)


def test_the_past_is_history(session, now):
    item = factories.initiative(session, now, members=1)
    anna = _people(item)[0]
    done = add_step(session, anna, item.id, stage_key="proposal", title="Idee", now=now)
    complete_step(session, anna, item.id, done.id, now + MIN)
    set_target_date(
        session, anna, item.id, stage_key="proposal", target_date=date(2026, 12, 1), now=now
    )
    fire_transition(session, anna, item.id, "start", now + 2 * MIN)
    before = stored_state(session, item.id)
    attempts = [
        lambda: add_step(session, anna, item.id, stage_key="proposal", title="Te laat", now=now),
        lambda: update_step(
            session, anna, item.id, done.id, title="Anders", owner_id=None, due_date=None, now=now
        ),
        lambda: move_step(session, anna, item.id, done.id, position=0, now=now),
        lambda: reopen_step(session, anna, item.id, done.id, now),
        lambda: remove_step(session, anna, item.id, done.id, now),
    ]
    for attempt in attempts:
        with pytest.raises(Refused) as caught:
            attempt()
        assert "The group has moved on from this stage" in caught.value.message.render()
    with pytest.raises(Refused) as caught:
        set_target_date(session, anna, item.id, stage_key="proposal", target_date=None, now=now)
    assert "history" in caught.value.message.render()
    assert stored_state(session, item.id) == before
    # the stage ahead is still the group's to plan
    add_step(session, anna, item.id, stage_key="execution", title="Tegels eruit", now=now)


def test_target_dates_are_set_and_cleared(session, now):
    item = factories.initiative(session, now)
    anna = _people(item)[0]
    set_target_date(
        session, anna, item.id, stage_key="visioning", target_date=date(2027, 2, 1), now=now
    )
    assert _target(session, item, "visioning") == date(2027, 2, 1)
    set_target_date(
        session, anna, item.id, stage_key="visioning", target_date=date(2027, 2, 1), now=now
    )
    set_target_date(session, anna, item.id, stage_key="visioning", target_date=None, now=now)
    assert _target(session, item, "visioning") is None
    events = factories.events_of(session, item.id, "stage.target")
    assert [(e.data["stage"], e.data["old"], e.data["new"]) for e in events] == [
        ("visioning", None, "2027-02-01"),
        ("visioning", "2027-02-01", None),
    ]


# --- pace -----------------------------------------------------------------------------------


def test_pause_needs_a_reason(session, now):
    item = factories.initiative(session, now)
    anna = _people(item)[0]
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput):
        pause_initiative(session, anna, item.id, reason="   ", now=now)
    with pytest.raises(Refused):
        resume_initiative(session, anna, item.id, now=now)
    assert stored_state(session, item.id) == before
    pause_initiative(session, anna, item.id, reason=" Zomervakantie ", now=now + MIN)
    assert (item.is_paused, item.pause_reason) == (True, "Zomervakantie")
    (paused,) = factories.events_of(session, item.id, "paused")
    assert paused.note == "Zomervakantie"
    with pytest.raises(Refused):
        pause_initiative(session, anna, item.id, reason="Nog eens", now=now + 2 * MIN)


# 23:30 in Groningen on 27 November; resumed at 00:30 on 8 December: 11 calendar days there,
# although only 10 days have passed in UTC dates.
PAUSED_AT = datetime.fromisoformat("2026-11-27T22:30:00+00:00")
RESUMED_AT = datetime.fromisoformat("2026-12-07T23:30:00+00:00")


def _paused_plan(session, now):
    item = factories.initiative(session, now, members=1)
    anna = _people(item)[0]
    set_target_date(
        session, anna, item.id, stage_key="proposal", target_date=date(2026, 11, 20), now=now
    )
    fire_transition(session, anna, item.id, "start", now + MIN)
    steps = {
        title: add_step(
            session, anna, item.id, stage_key=stage, title=title, due_date=due, now=now + MIN
        )
        for title, stage, due in [
            ("Open", "visioning", date(2026, 12, 5)),
            ("Klaar", "visioning", date(2026, 12, 1)),
            ("Zonder datum", "visioning", None),
            ("Later", "execution", date(2027, 1, 15)),
        ]
    }
    complete_step(session, anna, item.id, steps["Klaar"].id, now + 2 * MIN)
    for stage, target in [("visioning", date(2026, 12, 20)), ("execution", date(2027, 3, 1))]:
        set_target_date(session, anna, item.id, stage_key=stage, target_date=target, now=now)
    pause_initiative(session, anna, item.id, reason="Winterstop", now=PAUSED_AT)
    return item, anna, steps


def _dates(session, item, steps):
    session.expire_all()
    return (
        {title: session.get(Step, s.id).due_date for title, s in steps.items()},
        {s: _target(session, item, s) for s in ("proposal", "visioning", "execution")},
    )


def test_resume_shifts_open_dates_by_the_paused_days(session, now):
    item, anna, steps = _paused_plan(session, now)
    resume_initiative(session, anna, item.id, now=RESUMED_AT, shift_dates=True, note="Verder")
    due, targets = _dates(session, item, steps)
    assert due == {
        "Open": date(2026, 12, 16),
        "Klaar": date(2026, 12, 1),
        "Zonder datum": None,
        "Later": date(2027, 1, 26),
    }
    assert targets == {
        "proposal": date(2026, 11, 20),
        "visioning": date(2026, 12, 31),
        "execution": date(2027, 3, 12),
    }
    assert not item.is_paused and item.pause_reason is None
    (resumed,) = factories.events_of(session, item.id, "resumed")
    assert (resumed.note, resumed.data["paused_days"], resumed.data["shifted"]) == (
        "Verder", 11, 4,
    )  # fmt: skip


def test_resume_without_shift_moves_nothing(session, now):
    item, anna, steps = _paused_plan(session, now)
    before = _dates(session, item, steps)
    resume_initiative(session, anna, item.id, now=RESUMED_AT)
    assert _dates(session, item, steps) == before
    assert not item.is_paused
    (resumed,) = factories.events_of(session, item.id, "resumed")
    assert resumed.data["shifted"] == 0
