"""A property: whatever the group plans, finishes, skips and moves — taking open steps along or
closing them at random — no step vanishes. Every step ever created is done, closed with an event
saying so, or open in the current stage or one still ahead (with its reminders, where it has a
due date); a step that changed stage was taken along with an event."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from engine.errors import Blocked, VerbindingError
from engine.models import Decision, Event, Step
from engine.models.reminders import Reminder
from engine.operations import (
    add_step,
    cast_vote,
    complete_step,
    fire_transition,
    list_moves,
    open_decision,
    restore_stage,
    skip_stage,
)
from engine.pages import load_page
from engine.workflows.process_plan import plan_of
from tests import factories
from tests.factories import stored_state

HOUR = timedelta(hours=1)

#: a step to plan: in which editable stage (0: the current one), due in so many days or not
_STEP = st.tuples(st.integers(0, 3), st.one_of(st.none(), st.integers(30, 120)))
#: one round of the group's work: plan steps, finish some, perhaps reshape, then try a move
ROUND = st.fixed_dictionaries(
    {
        "add": st.lists(_STEP, max_size=3),
        "complete": st.lists(st.integers(0, 99), max_size=2),
        "reshape": st.booleans(),
        "move": st.integers(0, 3),
        "choice": st.sampled_from(["carry", "close"]),
    }
)


class Walk:
    """One group's initiative (proefproces) and what the test has asked of it."""

    def __init__(self, session, now, *, in_visioning: bool):
        self.session, self.now = session, now
        self.item, self.group = factories.initiative_with_group(session, now, members=2)
        factories.complete_association(session, self.item, now)  # so hand_over can happen
        if in_visioning:  # past the one move that needs every step done
            fire_transition(session, self.anna, self.item.id, "start", now)
        #: step id → the stage it was planned in
        self.created: dict[int, str] = {}
        self.titles = 0

    def tick(self):
        self.now += HOUR
        return self.now

    @property
    def anna(self):
        return self.group[0]

    def page(self):
        self.session.refresh(self.item)
        return load_page(self.session, self.item, self.anna)

    def add(self, which: int, due_days: int | None):
        editable = [s for s in self.page().stages if s.editable and s.status != "skipped"]
        stage = editable[which % len(editable)]
        self.titles += 1
        owner = self.group[self.titles % len(self.group)]
        due = (self.now + timedelta(days=due_days)).date() if due_days else None
        step = add_step(
            self.session, self.anna, self.item.id, stage_key=stage.key,
            title=f"Stap {self.titles}", owner_id=owner.id, due_date=due, now=self.tick(),
        )  # fmt: skip
        self.created[step.id] = stage.key

    def complete(self, which: int):
        page = self.page()
        open_ = [v.step for s in page.stages if s.editable for v in s.open_steps]
        if open_:
            step = open_[which % len(open_)]
            complete_step(self.session, self.anna, self.item.id, step.id, self.tick())

    def reshape(self):
        visioning = self.page().stage("visioning")
        if visioning.can_skip:
            skip_stage(self.session, self.anna, self.item.id, "visioning", self.tick())
        elif visioning.can_restore:
            restore_stage(self.session, self.anna, self.item.id, "visioning", self.tick())

    def _decide(self, trigger: str):
        live = self.session.scalar(
            select(Decision).where(
                Decision.initiative_id == self.item.id,
                Decision.trigger == trigger,
                Decision.status.in_(("open", "approved")),
            )
        )
        if live is None:
            try:
                live = open_decision(self.session, self.anna, self.item.id, trigger, self.tick())
            except VerbindingError:
                return
        for person in self.group:
            if live.status == "open":  # a majority may close before everyone voted
                cast_vote(self.session, person, live.id, "for", self.tick())

    def move(self, which: int, choice: str):
        moves = list_moves(self.session, self.anna, self.item)
        if not moves:
            return
        move = moves[which % len(moves)]
        if move.decision_rule:
            self._decide(move.trigger)
        page = self.page()
        (move,) = [m for m in page.moves if m.trigger == move.trigger]
        left = page.left_behind(move)
        seen = [v.step.id for v in left]
        if any(v.step.stage_key != page.current.key for v in left):
            event("open steps of a stage passed over")
        if not move.allowed:
            before = stored_state(self.session, self.item.id)
            try:
                fire_transition(
                    self.session, self.anna, self.item.id, move.trigger, self.tick(),
                    open_steps=choice, expected_open_steps=seen,
                )  # fmt: skip
            except Blocked:
                assert stored_state(self.session, self.item.id) == before
                event("a blocked move")
                return
            raise AssertionError(f"{move.trigger} fired although the page said it was blocked")
        fired = fire_transition(
            self.session, self.anna, self.item.id, move.trigger, self.tick(),
            open_steps=choice, expected_open_steps=seen,
        )  # fmt: skip
        # the engine did to exactly the steps the page listed what the group chose
        assert list(fired.carried if choice == "carry" else fired.closed) == seen
        assert not (fired.closed if choice == "carry" else fired.carried)
        if seen:
            event(f"a move that {'carried' if choice == 'carry' else 'closed'} open steps")
        if fired.to_stage == "maintenance":
            event("the group reached the last stage")

    def check(self):
        """Nothing vanished: every step is done, closed with an event, or open where it shows."""
        session = self.session
        session.refresh(self.item)
        plan = plan_of(session, self.item)
        ahead = set(plan.from_here(self.item.state))
        live = {key for key in ahead if not plan.is_skipped(key)}
        rows = session.scalars(select(Step).where(Step.initiative_id == self.item.id))
        steps = {s.id: s for s in rows}
        assert set(steps) == set(self.created)
        events: dict[int, list[Event]] = {}
        for e in session.scalars(
            select(Event).where(Event.initiative_id == self.item.id).order_by(Event.id)
        ):
            if isinstance((e.data or {}).get("step"), int):
                events.setdefault(e.data["step"], []).append(e)
        pending = set(
            session.scalars(
                select(Reminder.deadline_key).where(
                    Reminder.initiative_id == self.item.id, Reminder.status == "pending"
                )
            )
        )
        for sid, step in steps.items():
            kinds = [e.kind for e in events.get(sid, [])]
            assert kinds[0] == "step.added"
            if step.stage_key != self.created[sid]:
                carried = [e for e in events[sid] if e.kind == "step.carried"]
                assert carried and carried[-1].to_stage == step.stage_key
            assert not (step.is_done and step.is_closed)
            if step.is_closed:
                last = [e for e in events[sid] if e.kind == "step.closed"][-1]
                assert last.from_stage == step.stage_key
                assert f"step:{sid}" not in pending
            elif not step.is_done:
                assert step.stage_key in ahead, (step.title, step.stage_key, self.item.state)
                if step.due_date is not None and step.stage_key in live:
                    assert f"step:{sid}" in pending


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(in_visioning=st.booleans(), rounds=st.lists(ROUND, min_size=1, max_size=6))
def test_no_step_vanishes_whatever_the_group_does(session, now, in_visioning, rounds):
    nested = session.begin_nested()  # every example starts from the same empty city
    try:
        walk = Walk(session, now, in_visioning=in_visioning)
        walk.check()
        for r in rounds:
            for which, due_days in r["add"]:
                walk.add(which, due_days)
            for which in r["complete"]:
                walk.complete(which)
            if r["reshape"]:
                walk.reshape()
            walk.check()
            walk.move(r["move"], r["choice"])
            walk.check()
    finally:
        nested.rollback()
        session.expunge_all()  # rows of this example are gone: so are their objects (ids recur)
