"""The state machine's base: one group per example, every operation checked.

:meth:`GroupMachine.run` calls one engine operation in a savepoint. A refusal must leave
everything as it was (checked before the savepoint is rolled back). After every rule,
:meth:`verify` reads the initiative again and checks every rule of :mod:`tests.invariants.checks`
against the snapshot before. A broken rule fails the example unless its name is in
``known_broken`` (then it is counted and reported) and not named in ``strict``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import note as hypothesis_note
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant
from sqlalchemy.engine import Engine

from engine.machines import build_graph
from engine.models import Initiative, Person
from engine.operations import create_initiative
from engine.operations.common import definition_for
from engine.permissions import RESIDENT_ROLES
from engine.timeutil import local_date
from tests.factories import neighbourhood
from tests.invariants.checks import History, pending_changes, stored_changes, violations
from tests.invariants.snapshot import Snapshot, row_counts, take
from tests.invariants.summary import Stats
from tests.invariants.world import Refusal, World

T = TypeVar("T")
WORKFLOWS = ("proefproces", "wijkvisie", "vergroening", "parkplan")
LONG = (
    "Meer groen en bankjes op de kade, met plantenbakken die de buurt zelf onderhoudt, en "
    "een plek om elkaar te ontmoeten op zaterdag."
)
#: who tries an operation: 0-6 a member of the group (0 is an initiator), 7-9 anyone (a
#: neighbour outside the group, or the coach); see GroupMachine.who
WHO = st.integers(0, 9)
#: which of the existing things (steps, decisions, …) an operation is about
WHICH = st.integers(0, 12)
_serial = itertools.count(1)


def note(text: str) -> None:
    """Say it in hypothesis's report of a failing sequence (when run by hypothesis)."""
    if currently_in_test_context():
        hypothesis_note(text)


class GroupMachine(RuleBasedStateMachine):
    """Infrastructure shared by the rule mixins (tests/invariants/rules_*.py)."""

    known_broken: frozenset[str] = frozenset()
    strict: frozenset[str] = frozenset()

    def __init__(self, engine: Engine, storage_dir: Path, now: datetime, stats: Stats) -> None:
        super().__init__()
        self.w = World(engine, storage_dir, now)
        self.stats = stats
        self.iid = 0
        self.h: History | None = None
        self.prev: Snapshot | None = None
        #: something may have changed since the last snapshot (an operation went through)
        self.dirty = False
        stats.sequences += 1

    def teardown(self) -> None:
        self.w.close()

    @initialize(workflow=st.sampled_from(WORKFLOWS), described=st.booleans())
    def start(self, workflow: str, described: bool) -> None:
        """A new initiative on a template, started by the first resident."""
        w = self.w
        w.make_people(next(_serial))
        item = create_initiative(
            w.session, w.person(w.residents[0]), workflow=workflow,
            neighbourhood_id=neighbourhood(w.session).id, title="Groen op de kade",
            description=LONG if described else "Groen op de kade.", now=w.now,
        )  # fmt: skip
        w.session.flush()
        self.iid = item.id
        self.h = History(definition_for(w.session, item)[1])
        self.prev = take(w.session, item.id)
        self.h.learn(None, self.prev)
        self.h.visited.add(item.state)

    # --- running and checking -----------------------------------------------------------

    def check(self, name: str, ok: bool, message: str) -> None:
        if ok:
            return
        if name in self.known_broken:
            self.stats.known_broken[name] += 1
        self.stats.first_message.setdefault(name, message)
        note(f"[{name}] {message}")
        if name not in self.known_broken or name in self.strict:
            raise AssertionError(f"[{name}] {message}")

    def run(self, label: str, call: Callable[[], T]) -> T | Refusal:
        """One engine operation, in a savepoint; a refusal must not have written anything."""
        prev = self.snapshot
        self.stats.operations[label] += 1

        wrote: list[str] = []
        counts: dict[str, int] = {}

        def on_refusal(error) -> None:
            """Look before the savepoint is rolled back: what did the refused call write?"""
            wrote.extend(pending_changes(self.w.session))
            now = take(self.w.session, self.iid, prev.last_event_id)
            wrote.extend(stored_changes(prev, now))
            counts.update(row_counts(self.w.session))

        result = self.w.attempt(call, on_refusal)
        if isinstance(result, Refusal):
            self.stats.refused[label] += 1
            self.stats.reasons[label, str(result.error)[:70]] += 1
            note(f"{label}: refused: {result.error}")
            if counts:  # rolled back now: the counts are those from before the call
                before = row_counts(self.w.session)
                wrote.extend(f"rows of {t}" for t in counts if counts[t] != before[t])
            self.check(
                "refusal", not wrote, f"{label} was refused ({result.error}) yet wrote {wrote}"
            )
        else:
            self.dirty = True
            note(f"{label}: done")
        return result

    @invariant()
    def after_each_step(self) -> None:
        self.stats.steps += 1
        self.verify()

    def verify(self) -> None:
        """Read the initiative again and check every rule against the snapshot before."""
        if self.h is None or self.prev is None or not self.dirty:
            return
        self.dirty = False
        post = take(self.w.session, self.iid, self.prev.last_event_id)
        for name, message in violations(self.h, self.w, self.prev, post):
            self.check(name, False, message)
        for e in post.events:
            if e.kind == "transition" and e.to_stage:
                self.stats.stages[e.to_stage] += 1
        self.prev = post

    # --- what the rules choose from -----------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        assert self.prev is not None
        return self.prev

    @property
    def history(self) -> History:
        assert self.h is not None
        return self.h

    @property
    def session(self):
        return self.w.session

    @property
    def now(self) -> datetime:
        return self.w.now

    @property
    def today(self):
        return local_date(self.w.now, self.w.config.timezone)

    def day(self, days: int):
        return self.today + timedelta(days=days)

    def initiative(self) -> Initiative:
        found = self.session.get(Initiative, self.iid)
        assert found is not None
        return found

    def pick(self, things: Sequence[T], which: int) -> T | None:
        return things[which % len(things)] if things else None

    def who(self, index: int) -> Person:
        """A member of the group for 0-6 (initiators first), anyone for 7-9."""
        members = [p for p in self.w.residents if p in self.snapshot.members]
        members.sort(key=lambda p: self.snapshot.members[p] != "initiator")
        if index < 7 and members:
            return self.w.person(members[index % len(members)])
        return self.w.anyone(index)

    def staffer(self, index: int) -> Person:
        """The coach for 0-6, anyone for 7-9: for what only staff may do."""
        return self.w.coach if index < 7 else self.w.anyone(index)

    def residents(self) -> list[int]:
        """Resident members of the group now, in the order of the world's people."""
        members = self.snapshot.members
        return [p for p in self.w.residents if members.get(p) in RESIDENT_ROLES]

    def member_with(self, roles: Sequence[str]) -> Person | None:
        members = self.snapshot.members
        found = [p for p in self.w.residents if members.get(p) in roles]
        found.sort(key=lambda p: members[p] != "initiator")
        return self.w.person(found[0]) if found else None

    def graph(self):
        return build_graph(self.history.defn, self.snapshot.graph_key)

    def stages(self) -> list[str]:
        plans = self.snapshot.plans
        return sorted(plans, key=lambda key: plans[key][3])

    def open_steps(self, here_first: bool = False) -> list[int]:
        steps = self.snapshot.steps
        found = sorted(sid for sid, s in steps.items() if not s[2])
        if here_first:
            found.sort(key=lambda sid: steps[sid][0] != self.snapshot.state)
        return found

    def is_manager(self, person_id: int) -> bool:
        """Initiators and the association's board manage the association and its work."""
        snap = self.snapshot
        board = snap.maintenance["board"].get(person_id, (None,))[0]
        role = snap.members.get(person_id)
        return role == "initiator" or (role in RESIDENT_ROLES and board is not None)

    def managed(self, label: str, actor: Person, result: Any) -> None:
        """A maintenance change that succeeded was made by someone who manages it."""
        if not isinstance(result, Refusal):
            self.check(
                "maintenance_roles", self.is_manager(actor.id),
                f"{label} by person {actor.id} ({self.snapshot.members.get(actor.id)}, "
                "not on the board) went through",
            )  # fmt: skip
