"""Deadlines become reminder rows in the same transaction; they follow every change of pace."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from engine.db import make_session_factory, unit_of_work
from engine.models import Step
from engine.models.reminders import CalendarEntry, Reminder
from engine.operations import (
    add_step,
    complete_step,
    fire_transition,
    pause_initiative,
    remove_step,
    resume_initiative,
    set_target_date,
    skip_stage,
    update_step,
)
from engine.reminders import planner
from engine.reminders.planner import plan_for
from engine.timeutil import local_date, zone
from engine.workflows.loader import load_workflow_text
from engine.workflows.versions import register_workflow
from tests import factories

DAY = timedelta(days=1)


def pending(session, initiative_id: int, kind: str | None = None) -> list[Reminder]:
    query = select(Reminder).where(
        Reminder.initiative_id == initiative_id, Reminder.status == "pending"
    )
    if kind:
        query = query.where(Reminder.kind == kind)
    return list(session.scalars(query.order_by(Reminder.due_dt, Reminder.person_id)))


def days_before(rows: list[Reminder]) -> list[int]:
    return sorted({r.offset_days for r in rows}, reverse=True)


@pytest.fixture
def group(session, now):
    item = factories.initiative(session, now, members=2)
    return item, item.memberships[0].person


def test_a_step_due_in_ten_days_reminds_its_owner_7_1_0_and_1_day_late(session, now, group):
    item, anna = group
    due = local_date(now) + 10 * DAY
    add_step(session, anna, item.id, stage_key="proposal", title="Foto's maken",
             owner_id=anna.id, due_date=due, now=now)  # fmt: skip
    rows = pending(session, item.id)
    assert days_before(rows) == [7, 1, 0, -1]
    assert {r.person_id for r in rows} == {anna.id}
    moments = [r.due_dt.astimezone(zone()) for r in rows]
    assert [m.date() for m in moments] == [due - 7 * DAY, due - DAY, due, due + DAY]
    assert {(m.hour, m.minute) for m in moments} == {(8, 0)}  # the morning, Amsterdam time
    assert {r.link for r in rows} == {f"/initiatives/{item.id}#step-{rows[0].deadline_key[5:]}"}


def test_a_step_without_owner_reminds_the_whole_group_but_not_the_coach(session, now, group):
    item, anna = group
    coach = factories.staff(session, now)
    from engine.models import Membership

    session.add(Membership(initiative_id=item.id, person_id=coach.id, role="coach", joined_dt=now))
    add_step(session, anna, item.id, stage_key="proposal", title="Buren vragen",
             due_date=local_date(now) + 3 * DAY, now=now)  # fmt: skip
    rows = pending(session, item.id)
    assert days_before(rows) == [1, 0, -1]  # a week before has passed already
    members = {m.person_id for m in item.memberships if m.role != "coach"}
    assert {r.person_id for r in rows} == members and coach.id not in members


def test_moving_the_due_date_moves_the_reminders(session, now, group):
    item, anna = group
    first = local_date(now) + 10 * DAY
    step = add_step(session, anna, item.id, stage_key="proposal", title="Offerte",
                    owner_id=anna.id, due_date=first, now=now)  # fmt: skip
    later = first + 14 * DAY
    update_step(session, anna, item.id, step.id, title="Offerte", owner_id=anna.id,
                due_date=later, now=now + DAY)  # fmt: skip
    rows = pending(session, item.id)
    assert {r.deadline_date for r in rows} == {later}
    assert days_before(rows) == [7, 1, 0, -1]
    old = session.scalars(select(Reminder).where(Reminder.deadline_date == first)).all()
    assert old and {r.status for r in old} == {"cancelled"}
    entry = session.scalar(select(CalendarEntry).where(CalendarEntry.key == f"step:{step.id}"))
    assert (entry.entry_date, entry.sequence, entry.is_cancelled) == (later, 1, False)


def test_removing_or_finishing_a_step_cancels_its_reminders(session, now, group):
    item, anna = group
    due = local_date(now) + 10 * DAY
    gone = add_step(
        session, anna, item.id, stage_key="proposal", title="Weg", due_date=due, now=now
    )
    done = add_step(session, anna, item.id, stage_key="proposal", title="Af", due_date=due, now=now)
    remove_step(session, anna, item.id, gone.id, now)
    complete_step(session, anna, item.id, done.id, now)
    assert pending(session, item.id) == []
    entries = session.scalars(select(CalendarEntry).where(CalendarEntry.initiative_id == item.id))
    assert {(e.is_cancelled, e.sequence) for e in entries} == {(True, 1)}


def test_a_paused_group_gets_none_and_after_resuming_the_shifted_dates_count(session, now, group):
    item, anna = group
    due = local_date(now) + 10 * DAY
    add_step(session, anna, item.id, stage_key="proposal", title="Plan", due_date=due, now=now)
    set_target_date(session, anna, item.id, stage_key="proposal", target_date=due + 20 * DAY,
                    now=now)  # fmt: skip
    pause_initiative(session, anna, item.id, reason="Zomervakantie", now=now)
    assert pending(session, item.id) == []
    later = now + 21 * DAY
    resume_initiative(session, anna, item.id, now=later, shift_dates=True)
    rows = pending(session, item.id)
    assert {r.deadline_date for r in rows if r.kind == "step_due"} == {due + 21 * DAY}
    assert {r.deadline_date for r in rows if r.kind == "stage_target"} == {due + 41 * DAY}
    assert all(r.due_dt >= later - DAY for r in rows)


def test_resuming_without_shifting_only_brings_back_what_is_still_ahead(session, now, group):
    item, anna = group
    due = local_date(now) + 10 * DAY
    add_step(session, anna, item.id, stage_key="proposal", title="Plan", due_date=due,
             owner_id=anna.id, now=now)  # fmt: skip
    pause_initiative(session, anna, item.id, reason="Even rust", now=now)
    resume_initiative(session, anna, item.id, now=now + 5 * DAY)
    assert days_before(pending(session, item.id)) == [1, 0, -1]  # the week-before moment passed


def test_stage_target_dates_remind_14_1_and_1_day_late_by_default(session, now, group):
    item, anna = group
    target = local_date(now) + 30 * DAY
    set_target_date(session, anna, item.id, stage_key="visioning", target_date=target, now=now)
    rows = pending(session, item.id, "stage_target")
    assert days_before(rows) == [14, 1, -1]
    assert rows[0].title["en"] and rows[0].title["nl"]  # the stage's title in both languages


def test_skipping_a_stage_cancels_its_target_reminders(session, now, group):
    item, anna = group
    set_target_date(session, anna, item.id, stage_key="visioning",
                    target_date=local_date(now) + 30 * DAY, now=now)  # fmt: skip
    skip_stage(session, anna, item.id, "visioning", now)
    assert pending(session, item.id) == []


def test_leaving_a_stage_cancels_the_reminders_of_its_target_date(session, now):
    item = factories.initiative(session, now, members=2)
    anna = item.memberships[0].person
    due = local_date(now) + 10 * DAY
    set_target_date(session, anna, item.id, stage_key="proposal", target_date=due, now=now)
    ahead = add_step(session, anna, item.id, stage_key="execution", title="Later", due_date=due,
                     now=now)  # fmt: skip
    assert len({r.deadline_key for r in pending(session, item.id)}) == 2
    fire_transition(session, anna, item.id, "start", now + DAY)
    keys = {r.deadline_key for r in pending(session, item.id)}
    assert keys == {f"step:{ahead.id}"}


def test_a_transition_without_dates_writes_no_reminders(session, now):
    item = factories.initiative(session, now, members=2)
    anna = item.memberships[0].person
    fire_transition(session, anna, item.id, "start", now + DAY)
    assert session.scalars(select(Reminder).where(Reminder.initiative_id == item.id)).all() == []


RULED = """
name: herinnerproef
title: {nl: Herinnerproef, en: Reminder trial}
description: {nl: Een proef., en: A trial.}
initial: proposal
stages:
  - id: proposal
    title: {nl: Voorstel, en: Proposal}
    description: {nl: Begin., en: Start.}
    participation: coproduceren
    municipality_role: {nl: Denkt mee., en: Thinks along.}
    reminders: {step_due: [3, 0], stage_target: []}
  - id: done
    title: {nl: Klaar, en: Done}
    description: {nl: Einde., en: End.}
    participation: zelfbeheer
    municipality_role: {nl: Niets., en: Nothing.}
    final: true
transitions:
  - trigger: finish
    title: {nl: Afronden, en: Finish}
    source: proposal
    dest: done
"""


def test_a_template_sets_the_days_per_stage(session, now):
    defn, problems = load_workflow_text(RULED, "herinnerproef.yaml")
    assert problems == []
    register_workflow(session, defn, now)
    item = factories.initiative(session, now, workflow="herinnerproef")
    anna = item.memberships[0].person
    due = local_date(now) + 10 * DAY
    add_step(session, anna, item.id, stage_key="proposal", title="Kort", due_date=due, now=now)
    set_target_date(session, anna, item.id, stage_key="proposal", target_date=due, now=now)
    rows = pending(session, item.id)
    assert [(r.kind, r.offset_days) for r in rows] == [("step_due", 3), ("step_due", 0)]


def test_planning_twice_changes_nothing(session, now, group):
    item, anna = group
    add_step(session, anna, item.id, stage_key="proposal", title="Eens",
             due_date=local_date(now) + 9 * DAY, now=now)  # fmt: skip
    before = [(r.key, r.status) for r in pending(session, item.id)]
    report = plan_for(session, item.id, now)
    assert (report.added, report.cancelled, report.calendar) == (0, 0, 0)
    assert [(r.key, r.status) for r in pending(session, item.id)] == before


def test_dates_are_local_days_in_amsterdam(now):
    late_evening = datetime(2026, 11, 27, 23, 30, tzinfo=zone())
    assert local_date(late_evening) == date(2026, 11, 27)


def test_another_part_plugs_in_its_deadlines_through_a_source(session, now, group, monkeypatch):
    from engine.reminders.deadlines import Deadline
    from engine.reminders.planner import plan
    from engine.reminders.sources import SOURCES, Source

    item, anna = group
    day = local_date(now) + 4 * DAY

    def tasks(_session, initiative_ids, _now):
        if initiative_ids is None or item.id in initiative_ids:
            yield Deadline(key=f"task:{item.id}:1", initiative_id=item.id, person_ids=(anna.id,),
                           kind="maintenance_due", date=day, title="Bankjes vegen",
                           link=f"/initiatives/{item.id}#task-1")  # fmt: skip

    monkeypatch.setitem(SOURCES, "tasks", Source("tasks", tasks))
    plan(session, [item.id], now, sources=["tasks"])
    rows = pending(session, item.id, "maintenance_due")
    assert [(r.offset_days, r.source) for r in rows] == [(1, "tasks"), (0, "tasks")]
    entry = session.scalar(select(CalendarEntry).where(CalendarEntry.key == f"task:{item.id}:1"))
    assert entry.entry_date == day and entry.title == {"nl": "Bankjes vegen", "en": "Bankjes vegen"}


def test_a_failing_source_of_another_part_does_not_block_a_residents_change(
    session, now, group, monkeypatch
):
    from engine.reminders.sources import SOURCES, Source

    def broken(_session, _ids, _now):
        raise RuntimeError("kapot")
        yield  # pragma: no cover

    monkeypatch.setitem(SOURCES, "broken", Source("broken", broken))
    item, anna = group
    pause_initiative(session, anna, item.id, reason="Even niet", now=now)
    assert session.get(type(item), item.id).is_paused


def test_a_reminder_still_waiting_to_be_sent_survives_an_unrelated_change(session, now, group):
    item, anna = group
    due = local_date(now) + 10 * DAY
    step = add_step(session, anna, item.id, stage_key="proposal", title="Bellen",
                    owner_id=anna.id, due_date=due, now=now)  # fmt: skip
    later = now + 4 * DAY  # the week-before moment passed while the scheduler was away
    update_step(session, anna, item.id, step.id, title="Bellen met de gemeente",
                owner_id=anna.id, due_date=due, now=later)  # fmt: skip
    rows = pending(session, item.id)
    assert days_before(rows) == [7, 1, 0, -1]
    assert {r.title["nl"] for r in rows} == {"Bellen met de gemeente"}


# -- beside a dispatcher and another planner: real commits from several connections ----------


def _planned_step(sessions, now) -> tuple[int, int]:
    """A committed group with a step due in ten days, its reminders planned: (initiative, step)."""
    with unit_of_work(sessions) as s:
        item = factories.initiative(s, now, members=1)
        anna = item.memberships[0].person
        step = add_step(s, anna, item.id, stage_key="proposal", title="Folder maken",
                        owner_id=anna.id, due_date=local_date(now) + 10 * DAY, now=now)  # fmt: skip
        return item.id, step.id


def _statuses(sessions, initiative_id: int) -> dict[int, str]:
    with sessions() as s:
        query = select(Reminder.id, Reminder.status).where(Reminder.initiative_id == initiative_id)
        return {row.id: row.status for row in s.execute(query)}


def test_a_reminder_sent_while_the_planner_cancels_stays_sent(committed_engine, now, monkeypatch):
    sessions = make_session_factory(committed_engine)
    item_id, step_id = _planned_step(sessions, now)
    with unit_of_work(sessions) as s:  # the step is done; planning that has yet to happen
        s.execute(update(Step).where(Step.id == step_id).values(is_done=True, done_dt=now))
        s.execute(update(CalendarEntry).where(CalendarEntry.key == f"step:{step_id}")
                  .values(is_cancelled=True, sequence=1))  # fmt: skip
    sent, *others = sorted(_statuses(sessions, item_id))
    decide = planner._wanted

    def decide_while_a_dispatcher_sends(*args, **kwargs):
        with unit_of_work(sessions) as dispatcher:  # after the planner read the rows as pending
            dispatcher.execute(update(Reminder).where(Reminder.id == sent)
                               .values(status="sent", handled_dt=now))  # fmt: skip
        return decide(*args, **kwargs)

    monkeypatch.setattr(planner, "_wanted", decide_while_a_dispatcher_sends)
    with unit_of_work(sessions) as s:
        plan_for(s, item_id, now)
    assert _statuses(sessions, item_id) == {sent: "sent"} | dict.fromkeys(others, "cancelled")


def test_two_planners_at_once_store_each_reminder_and_calendar_entry_once(committed_engine, now):
    """As two schedulers reconciling together did: the second no longer fails on a key the
    first stored (PostgreSQL waits for the first's commit, SQLite for its write lock)."""
    sessions = make_session_factory(committed_engine)
    item_id, step_id = _planned_step(sessions, now)
    with unit_of_work(sessions) as s:  # as before it was ever planned
        s.execute(delete(Reminder).where(Reminder.initiative_id == item_id))
        s.execute(delete(CalendarEntry).where(CalendarEntry.initiative_id == item_id))
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with unit_of_work(sessions) as s:
                plan_for(s, item_id, now)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    with unit_of_work(sessions) as first:
        assert plan_for(first, item_id, now).added == 4
        other = threading.Thread(target=second)
        other.start()
        time.sleep(0.5)  # the second planner is waiting for this transaction now
    other.join(timeout=30)
    assert failures == []
    with sessions() as s:
        keys = s.scalars(select(Reminder.key).where(Reminder.initiative_id == item_id)).all()
        entries = s.scalars(select(CalendarEntry.key).where(CalendarEntry.initiative_id == item_id))
        assert len(keys) == len(set(keys)) == 4 and list(entries) == [f"step:{step_id}"]
