"""A stage move re-plans only the reminders of the stages it leaves and enters, and the result
is always what a full re-plan would make of the same plan."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from sqlalchemy import event, select

from engine.models import Step
from engine.models.reminders import Reminder
from engine.operations import (
    add_step,
    complete_step,
    fire_transition,
    set_target_date,
    update_step,
)
from engine.reminders.planner import PLAN_SOURCES, PlanReport, plan_for
from engine.timeutil import local_date
from tests import factories
from tests.engine.operations.test_open_steps_property import Walk
from tests.profiles import profile

DAY = timedelta(days=1)


@contextmanager
def statements(session):
    """Every statement (and its parameters) sent to the database inside the block."""
    seen: list[tuple[str, object]] = []

    def note(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    bind = session.get_bind()
    event.listen(bind, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", note)


def dated_group(session, now, *, far_steps: int):
    """An initiative in its proposal, ready to start: target dates on three stages, dated steps
    in visioning and ``far_steps`` dated steps in execution (a stage the move does not touch)."""
    item = factories.initiative(session, now, members=2)
    anna = item.memberships[0].person
    for step in session.scalars(select(Step).where(Step.initiative_id == item.id)):
        complete_step(session, anna, item.id, step.id, now)
    today = local_date(now)
    for n, stage in enumerate(("proposal", "visioning", "execution")):
        set_target_date(session, anna, item.id, stage_key=stage,
                        target_date=today + (20 + 30 * n) * DAY, now=now)  # fmt: skip
    add_step(session, anna, item.id, stage_key="visioning", title="Wijkavond",
             owner_id=anna.id, due_date=today + 25 * DAY, now=now)  # fmt: skip
    add_step(session, anna, item.id, stage_key="visioning", title="Buren vragen",
             due_date=today + 26 * DAY, now=now)  # fmt: skip
    far = [
        add_step(session, anna, item.id, stage_key="execution", title=f"Later {n}",
                 owner_id=anna.id, due_date=today + (60 + n) * DAY, now=now).id
        for n in range(far_steps)
    ]  # fmt: skip
    return item, anna, far


def rows_of(session, initiative_id: int) -> set[tuple]:
    query = select(Reminder.key, Reminder.status, Reminder.due_dt).where(
        Reminder.initiative_id == initiative_id
    )
    return {tuple(r) for r in session.execute(query)}


@pytest.mark.parametrize("far_steps", [0, 12])
def test_a_move_reads_and_writes_only_the_reminders_of_the_stages_it_leaves_and_enters(
    session, now, far_steps
):
    item, anna, far = dated_group(session, now, far_steps=far_steps)
    before = rows_of(session, item.id)
    with statements(session) as seen:
        fire_transition(session, anna, item.id, "start", now + DAY)
    after = rows_of(session, item.id)
    # a fixed number of statements, however much is planned further ahead
    # (the move's own three, then its notification to the group: a fixed 7 more, the event,
    # its readers, their mail, tests/engine/notifications proves it does not grow with the
    # group; it reads nothing of the initiative the move has not read already)
    assert len(seen) <= 14, "\n".join(" ".join(s.split())[:90] for s, _ in seen)
    # one read of the stages' plans, steps and group; one of their entries and reminders
    # (together); the writes
    planning = [s for s, _ in seen if "reminders" in s or "calendar_entries" in s]
    assert len(planning) <= 3, planning
    # execution is not touched: none of its deadlines is named in any statement ...
    far_keys = {f"step:{sid}" for sid in far} | {f"stage:{item.id}:execution"}
    named = " ".join(repr(p) for _, p in seen)
    assert not [k for k in far_keys if f"'{k}'" in named]
    # ... nor visioning's steps: that stage lay ahead before and still does, and took in no
    # step (the proposal's were done), so its reminders cannot have changed
    ahead = select(Step.id).where(Step.initiative_id == item.id, Step.stage_key == "visioning")
    kept = {f"step:{sid}" for sid in session.scalars(ahead)}
    assert kept and not [k for k in kept if f"'{k}'" in named]
    # ... and its reminders are as they were
    changed = {key.rsplit(":", 3)[0] for key, *_ in before ^ after}
    assert changed and not changed & far_keys
    # the proposal's target date is behind the group now; visioning's steps still remind
    pending = {k.rsplit(":", 3)[0] for k, status, _ in after if status == "pending"}
    assert f"stage:{item.id}:proposal" not in pending
    assert f"stage:{item.id}:visioning" in pending
    assert plan_for(session, item.id, now + DAY, sources=PLAN_SOURCES) == PlanReport()


# -- a property: incremental planning equals a full re-plan ---------------------------------

_STEP = st.tuples(st.integers(0, 3), st.one_of(st.none(), st.integers(-3, 90)))
ROUND = st.fixed_dictionaries(
    {
        "add": st.lists(_STEP, max_size=2),
        "targets": st.lists(st.tuples(st.integers(0, 3), st.integers(-5, 120)), max_size=2),
        "redate": st.lists(st.tuples(st.integers(0, 99), st.integers(1, 90), st.booleans()),
                           max_size=2),
        "complete": st.lists(st.integers(0, 99), max_size=1),
        "reshape": st.booleans(),
        "move": st.integers(0, 3),
        "choice": st.sampled_from(["carry", "close"]),
        "days": st.integers(0, 9),
    }
)  # fmt: skip
SETTINGS = profile(12, 300, HealthCheck.function_scoped_fixture)


class DatedWalk(Walk):
    """The walk of the open-steps property, with target dates and re-dated steps besides."""

    def editable(self):
        return [s for s in self.page().stages if s.editable and s.status != "skipped"]

    def target(self, which: int, days: int):
        stage = self.editable()[which % len(self.editable())]
        set_target_date(self.session, self.anna, self.item.id, stage_key=stage.key,
                        target_date=local_date(self.now) + days * DAY, now=self.tick())  # fmt: skip

    def redate(self, which: int, days: int, keep_owner: bool):
        open_ = [v.step for s in self.page().stages if s.editable for v in s.open_steps]
        if open_:
            step = open_[which % len(open_)]
            update_step(self.session, self.anna, self.item.id, step.id, title=step.title,
                        owner_id=step.owner_id if keep_owner else None,
                        due_date=local_date(self.now) + days * DAY, now=self.tick())  # fmt: skip

    def agrees_with_a_full_replan(self, what: str):
        report = plan_for(self.session, self.item.id, self.now, sources=PLAN_SOURCES)
        assert report == PlanReport(), f"after {what}: a full re-plan still changed {report}"


@SETTINGS
@given(in_visioning=st.booleans(), rounds=st.lists(ROUND, min_size=1, max_size=5))
def test_incremental_planning_equals_a_full_replan_whatever_the_group_does(
    session, now, in_visioning, rounds
):
    nested = session.begin_nested()  # every example starts from the same empty city
    try:
        walk = DatedWalk(session, now, in_visioning=in_visioning)
        for r in rounds:
            for which, due_days in r["add"]:
                walk.add(which, due_days)
            for which, days in r["targets"]:
                walk.target(which, days)
            for which, days, keep in r["redate"]:
                walk.redate(which, days, keep)
            for which in r["complete"]:
                walk.complete(which)
            if r["reshape"]:
                walk.reshape()
            walk.agrees_with_a_full_replan("planning")
            walk.move(r["move"], r["choice"])
            walk.agrees_with_a_full_replan(f"a move to {walk.item.state}")
            walk.now += r["days"] * DAY  # time passes: some reminder moments go by
    finally:
        nested.rollback()
        session.expunge_all()  # rows of this example are gone: so are their objects (ids recur)
