"""Tasks, their turns (materialised ahead, idempotently), the rota, the log and missed streaks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engine.coach.health import STREAK_SIGNAL, missed_streaks, needing_attention
from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Refused
from engine.maintenance.occurrences import log_of, mark_done, mark_missed, skip_occurrence
from engine.maintenance.rota import active_volunteers, set_rota, step_out, swap_turns
from engine.maintenance.sweep import sweep_maintenance
from engine.maintenance.tasks import HORIZON_DAYS, create_task, end_task, materialise, update_task
from engine.models import Occurrence
from engine.operations import pause_initiative
from engine.timeutil import local_date
from tests import factories
from tests.factories import stored_state

DAY = timedelta(days=1)
WEEKLY_FRIDAY = "FREQ=WEEKLY;BYDAY=FR"  # NOW is Friday 27 November 2026


@pytest.fixture
def group(session, now):
    """An initiative of Anna, Bram and Cor with a complete association of all three."""
    item = factories.initiative(session, now, members=2)
    people = [m.person for m in item.memberships]
    factories.complete_association(session, item, now)
    return item, people


def _turns(session, task_id, status=None):
    query = select(Occurrence).where(Occurrence.task_id == task_id)
    if status:
        query = query.where(Occurrence.status == status)
    return list(session.scalars(query.order_by(Occurrence.due_date)))


def _count(session, task_id):
    return session.scalar(select(func.count()).where(Occurrence.task_id == task_id))


# --- tasks and turns --------------------------------------------------------------------------


def test_a_new_task_plans_its_turns_round_robin(session, now, group):
    item, (anna, bram, cor) = group
    task = factories.recurring_task(
        session, item, anna, now, rule=WEEKLY_FRIDAY, volunteers=[bram.id, cor.id, anna.id]
    )
    turns = _turns(session, task.id)
    today = local_date(now)
    assert turns[0].due_date == today
    assert all(t.due_date <= today + timedelta(days=HORIZON_DAYS) for t in turns)
    assert len(turns) == 13
    assert [t.assignee_id for t in turns[:4]] == [bram.id, cor.id, anna.id, bram.id]
    assert task.materialised_until == today + timedelta(days=HORIZON_DAYS)
    (event,) = factories.events_of(session, item.id, "maintenance.task_added")
    assert event.data["rule"] == WEEKLY_FRIDAY


def test_materialising_again_adds_nothing_and_a_date_is_unique(session, now, group):
    item, (anna, *_) = group
    task = factories.recurring_task(session, item, anna, now, rule=WEEKLY_FRIDAY)
    before = _count(session, task.id)
    assert materialise(session, task, now) == 0
    assert materialise(session, task, now) == 0
    sweep_maintenance(session, now)
    sweep_maintenance(session, now)
    assert _count(session, task.id) == before
    # a week later one more week comes into view, and only that
    assert materialise(session, task, now + 7 * DAY) == 1
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(
            Occurrence(
                task_id=task.id,
                initiative_id=item.id,
                due_date=local_date(now),
                status="planned",
                created_dt=now,
            )  # fmt: skip
        )
        session.flush()


def test_the_sweep_plans_tasks_whose_planning_fell_behind(session, now, group):
    item, (anna, *_) = group
    task = factories.recurring_task(session, item, anna, now, rule=WEEKLY_FRIDAY)
    count = _count(session, task.id)
    report = sweep_maintenance(session, now + 14 * DAY)
    assert report.startswith("2 turns planned")
    assert _count(session, task.id) == count + 2


def test_bad_input_changes_nothing(session, now, group):
    item, (anna, bram, _) = group
    before = stored_state(session, item.id)
    for kwargs, error in (
        ({"rule": "FREQ=SOMETIMES"}, InvalidInput),
        ({"volunteer_ids": []}, InvalidInput),
        ({"volunteer_ids": [factories.person(session, now).id]}, InvalidInput),
        ({"title": "x"}, InvalidInput),
    ):
        arguments = {
            "title": "Bankjes schoonmaken", "rule": WEEKLY_FRIDAY, "starts_on": local_date(now),
            "volunteer_ids": [bram.id], **kwargs,
        }  # fmt: skip
        with pytest.raises(error):
            create_task(session, anna, item.id, now=now, **arguments)
    assert stored_state(session, item.id) == before
    assert session.scalar(select(func.count()).select_from(Occurrence)) == 0


def test_an_empty_rota_is_refused_with_a_clear_message(session, now, group):
    item, (anna, *_) = group
    with pytest.raises(InvalidInput) as caught:
        create_task(
            session, anna, item.id, title="Vegen", rule=WEEKLY_FRIDAY,
            starts_on=local_date(now), volunteer_ids=[], now=now,
        )  # fmt: skip
    assert caught.value.message.render() == "A rota needs at least one volunteer."
    task = factories.recurring_task(session, item, anna, now)
    with pytest.raises(InvalidInput):
        set_rota(session, anna, item.id, task.id, [], now=now)


def test_tasks_need_an_association(session, now):
    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    with pytest.raises(Refused):
        create_task(
            session, anna, item.id, title="Vegen", rule=WEEKLY_FRIDAY,
            starts_on=local_date(now), volunteer_ids=[anna.id], now=now,
        )  # fmt: skip


def test_a_new_rule_plans_the_turns_to_come_again(session, now, group):
    item, (anna, *_) = group
    task = factories.recurring_task(session, item, anna, now, rule=WEEKLY_FRIDAY)
    first = _turns(session, task.id)[0]
    mark_done(session, anna, item.id, first.id, now=now, note="Gedaan")
    update_task(
        session, anna, item.id, task.id, title="Vegen", rule="FREQ=MONTHLY;BYDAY=1MO",
        starts_on=local_date(now), now=now,
    )  # fmt: skip
    turns = _turns(session, task.id)
    assert turns[0].id == first.id and turns[0].status == "done"
    assert [t.due_date for t in turns[1:]] == [
        date(2026, 12, 7),
        date(2027, 1, 4),
        date(2027, 2, 1),
    ]


def test_ending_a_task_cancels_its_turns_to_come_and_keeps_the_log(session, now, group):
    item, (anna, *_) = group
    task = factories.recurring_task(session, item, anna, now, rule=WEEKLY_FRIDAY)
    first = _turns(session, task.id)[0]
    mark_done(session, anna, item.id, first.id, now=now)
    end_task(session, anna, item.id, task.id, now=now + DAY)
    assert {t.status for t in _turns(session, task.id)} == {"done", "cancelled"}
    assert materialise(session, task, now + DAY) == 0
    with pytest.raises(Refused):
        end_task(session, anna, item.id, task.id, now=now + DAY)


# --- the rota ---------------------------------------------------------------------------------


def test_setting_the_rota_deals_the_open_turns_again(session, now, group):
    item, (anna, bram, cor) = group
    task = factories.recurring_task(
        session, item, anna, now, rule=WEEKLY_FRIDAY, volunteers=[anna.id, bram.id]
    )
    first = _turns(session, task.id)[0]
    mark_done(session, anna, item.id, first.id, now=now)
    set_rota(session, anna, item.id, task.id, [cor.id, bram.id, anna.id], now=now + DAY)
    assert [v.person_id for v in active_volunteers(session, task.id)] == [cor.id, bram.id, anna.id]
    later = _turns(session, task.id, "planned")
    assert [t.assignee_id for t in later[:4]] == [cor.id, bram.id, anna.id, cor.id]
    assert _turns(session, task.id)[0].assignee_id == anna.id  # the log does not change


def test_swap_two_turns(session, now, group):
    item, (anna, bram, _) = group
    task = factories.recurring_task(
        session, item, anna, now, rule=WEEKLY_FRIDAY, volunteers=[anna.id, bram.id]
    )
    one, two = _turns(session, task.id)[:2]
    swap_turns(session, anna, item.id, one.id, two.id, now=now)  # the chair swaps directly
    assert (one.assignee_id, two.assignee_id) == (bram.id, anna.id)
    (event,) = factories.events_of(session, item.id, "maintenance.swapped")
    assert event.actor_id == anna.id
    with pytest.raises(InvalidInput):
        swap_turns(session, anna, item.id, one.id, one.id, now=now)
    mark_done(session, bram, item.id, one.id, now=now)
    with pytest.raises(Refused):
        swap_turns(session, anna, item.id, one.id, two.id, now=now)


def test_skipping_a_date_moves_nobodys_turn(session, now, group):
    item, (anna, bram, cor) = group
    task = factories.recurring_task(
        session, item, anna, now, rule=WEEKLY_FRIDAY, volunteers=[anna.id, bram.id, cor.id]
    )
    turns = _turns(session, task.id)
    skip_occurrence(session, anna, item.id, turns[1].id, now=now, note="Het regent de hele dag.")
    assert turns[1].status == "skipped" and turns[1].note == "Het regent de hele dag."
    assert [t.assignee_id for t in turns[2:4]] == [cor.id, anna.id]
    with pytest.raises(Refused):
        skip_occurrence(session, anna, item.id, turns[1].id, now=now)


def test_a_volunteer_steps_out_and_the_others_take_over(session, now, group):
    item, (anna, bram, cor) = group
    task = factories.recurring_task(
        session, item, anna, now, rule=WEEKLY_FRIDAY, volunteers=[anna.id, bram.id, cor.id]
    )
    step_out(session, bram, item.id, task.id, bram.id, now=now)
    assert bram.id not in {t.assignee_id for t in _turns(session, task.id, "planned")}
    assert [t.assignee_id for t in _turns(session, task.id)[:4]] == [
        anna.id, cor.id, anna.id, cor.id,
    ]  # fmt: skip
    step_out(session, anna, item.id, task.id, cor.id, now=now)
    with pytest.raises(Refused) as caught:
        step_out(session, anna, item.id, task.id, anna.id, now=now)
    assert "only volunteer" in caught.value.message.render()
    with pytest.raises(NotFound):
        step_out(session, anna, item.id, task.id, bram.id, now=now)
    # back on the rota: a volunteer who returns goes to the end
    set_rota(session, anna, item.id, task.id, [anna.id, bram.id], now=now)
    assert [v.person_id for v in active_volunteers(session, task.id)] == [anna.id, bram.id]


def test_a_stale_rota_form_cannot_put_back_who_stepped_out(session, now, group):
    item, (anna, bram, cor) = group
    task = factories.recurring_task(
        session, item, anna, now, rule=WEEKLY_FRIDAY, volunteers=[anna.id, bram.id, cor.id]
    )
    seen, page = task.version, item.version  # Anna opens the rota form
    step_out(session, bram, item.id, task.id, bram.id, now=now, expected_version=seen)
    before = stored_state(session, item.id)
    with pytest.raises(Conflict) as caught:
        set_rota(session, anna, item.id, task.id, [anna.id, bram.id, cor.id], now=now,
                 expected_version=seen)  # fmt: skip
    assert "Someone else changed the task “Plantenbakken water geven” or its rota" in (
        caught.value.message.render()
    )
    assert [v.person_id for v in active_volunteers(session, task.id)] == [anna.id, cor.id]
    assert stored_state(session, item.id) == before
    assert item.version == page  # the rota is the task's: the initiative's pages stay fresh


def test_planning_ahead_and_recording_turns_make_no_task_form_stale(session, now, group):
    item, (anna, bram, _) = group
    task = factories.recurring_task(session, item, anna, now, rule=WEEKLY_FRIDAY)
    seen, page = task.version, item.version
    sweep_maintenance(session, now + 14 * DAY)  # the sweeper moves its bookmark
    assert task.materialised_until == local_date(now + 14 * DAY) + timedelta(days=HORIZON_DAYS)
    turn = _turns(session, task.id)[0]
    volunteer = next(p for p in (anna, bram) if p.id == turn.assignee_id)  # their own turn
    mark_done(session, volunteer, item.id, turn.id, now=now)
    update_task(session, anna, item.id, task.id, title="Bakken water geven", rule=WEEKLY_FRIDAY,
                starts_on=task.starts_on, now=now, expected_version=seen)  # fmt: skip
    assert task.version == seen + 1 and item.version == page


# --- done, missed, the log --------------------------------------------------------------------


def test_done_and_missed_with_notes_in_the_log(session, now, group):
    item, (anna, bram, cor) = group
    task = factories.recurring_task(
        session, item, anna, now - 14 * DAY, rule=WEEKLY_FRIDAY, volunteers=[anna.id, bram.id]
    )
    old, last, today, *_ = _turns(session, task.id)
    mark_done(session, anna, item.id, old.id, now=now, note="  Alle bakken   water gegeven ")
    with pytest.raises(PermissionDenied):  # Cor is no volunteer here, nor on the board
        mark_missed(session, cor, item.id, last.id, now=now)
    mark_missed(session, bram, item.id, last.id, now=now, note="Ik was ziek.")
    mark_done(session, anna, item.id, today.id, now=now)
    log = log_of(session, item.id)
    assert [(e.due_date, e.status, e.note, e.resolved_by_id) for e in log] == [
        (today.due_date, "done", None, anna.id),
        (last.due_date, "missed", "Ik was ziek.", bram.id),
        (old.due_date, "done", "Alle bakken water gegeven", anna.id),
    ]
    assert [e.kind for e in factories.events_of(session, item.id)][-3:] == [
        "maintenance.done", "maintenance.missed", "maintenance.done",
    ]  # fmt: skip


def test_recording_refuses_what_does_not_fit(session, now, group):
    item, (anna, *_) = group
    task = factories.recurring_task(session, item, anna, now, rule=WEEKLY_FRIDAY)
    turns = _turns(session, task.id)
    with pytest.raises(Refused):
        mark_missed(session, anna, item.id, turns[1].id, now=now)  # not come yet
    with pytest.raises(Refused):
        mark_done(session, anna, item.id, turns[3].id, now=now)  # weeks away
    with pytest.raises(InvalidInput):
        mark_done(session, anna, item.id, turns[0].id, now=now, note="x" * 501)
    mark_missed(session, anna, item.id, turns[0].id, now=now)
    mark_done(session, anna, item.id, turns[0].id, now=now, note="Toch gedaan, 's avonds.")
    with pytest.raises(Refused):
        mark_done(session, anna, item.id, turns[0].id, now=now)
    other = factories.initiative(session, now, title="Ander initiatief")
    with pytest.raises(NotFound):
        mark_done(session, other.memberships[0].person, other.id, turns[1].id, now=now)


def test_the_sweep_marks_forgotten_turns_missed_and_skips_paused_ones(session, now, group):
    item, (anna, *_) = group
    task = factories.recurring_task(session, item, anna, now, rule=WEEKLY_FRIDAY)
    first, second, *_ = _turns(session, task.id)
    sweep_maintenance(session, now + 7 * DAY)  # one week: still time to record it
    session.expire_all()
    assert first.status == "planned"
    sweep_maintenance(session, now + 8 * DAY)
    session.expire_all()
    assert (first.status, first.resolved_by_id) == ("missed", None)
    pause_initiative(session, anna, item.id, reason="Winterstop", now=now + 8 * DAY)
    planned_until = task.materialised_until
    report = sweep_maintenance(session, now + 30 * DAY)
    session.expire_all()
    assert second.status == "skipped"
    assert "0 turns planned" in report and task.materialised_until == planned_until


# --- missed streaks (the coach's health signal) -----------------------------------------------


def test_missed_streaks_count_the_run_since_the_last_turn_done(session, now, group):
    item, (anna, *_) = group
    quiet = factories.initiative(session, now, title="Stil initiatief")
    start = now - 35 * DAY
    task = factories.recurring_task(session, item, anna, start, rule=WEEKLY_FRIDAY)
    other = factories.recurring_task(session, item, anna, start, title="Vegen", rule="FREQ=DAILY")
    turns = _turns(session, task.id)
    mark_done(session, anna, item.id, turns[0].id, now=now)
    for turn in turns[1:4]:
        mark_missed(session, anna, item.id, turn.id, now=now)
    skip_occurrence(session, anna, item.id, turns[4].id, now=now)
    mark_missed(session, anna, item.id, _turns(session, other.id)[0].id, now=now)
    streaks = missed_streaks(session, [item.id, quiet.id])
    assert streaks == {item.id: 3, quiet.id: 0}
    assert STREAK_SIGNAL == 3
    assert needing_attention(session, [item.id, quiet.id]) == {item.id: 3}
    mark_done(session, anna, item.id, turns[5].id, now=now)
    assert missed_streaks(session, [item.id]) == {item.id: 1}
    assert missed_streaks(session, []) == {}
