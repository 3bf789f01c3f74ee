"""Sequences that broke the group's rules before issue 10, replayed: none may break a rule now.

Each is the shortest sequence hypothesis found for its rule on the old engine (a late joiner
voting, a sweep approving during a pause, a skipped stage routing around a decision…), written
as hypothesis reports them (``state.push()``…). The state machine in test_group_invariants.py
hunts for new ones; these keep the old ones from coming back whatever it happens to draw.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from tests.conftest import NOW
from tests.engine.test_group_invariants import KNOWN_BROKEN, GroupRulesMachine
from tests.invariants.summary import Stats

DAY = timedelta(days=1)


def _gate(m):
    """Skipping the optional visioning reroutes "start" past the consent decision of "plan"."""
    m.reshape(which=0)  # skip visioning
    m.push()  # a neighbour joins, a step is planned and done, "start" → execution


def _electorate(m, choice: str = "for"):
    """Someone who joins after a decision opened votes on it."""
    m.push()  # into visioning
    m.open_decision(who=0, which=0)  # "plan": consent, 7 days
    m.join(who=0)
    m.vote(who=2, which=0, choice=choice)  # the newcomer


def _paused_close(m):
    """The sweep approves a consent decision while the group is paused."""
    m.push()  # into visioning
    m.push()  # opens the consent decision on "plan"
    m.holiday(wait=8 * DAY, shift=False)  # the sweep runs 8 days into the pause


def _decision_clock(m):
    """Resuming does not move the closing moment: 4 of the 7 days were paused."""
    m.push()
    m.push()
    m.holiday(wait=4 * DAY, shift=True)
    m.sweep_after(wait=4 * DAY)


def _majority_waits(m):
    """A majority decision closes before everyone had their say (here: closed by hand)."""
    for _ in range(3):  # start; open "plan"; both agree and "plan" → execution
        m.push()
    m.open_decision(who=0, which=0)  # "hand_over": majority
    m.close_decision(who=0, which=0)


def _open_steps(m):
    """ "plan" has no steps_done guard: the step planned in visioning is left behind."""
    for _ in range(3):
        m.push()


def _invitation_address(m):
    """An invitation for one neighbour is used by another."""
    m.group(kind="invite", who=0, other=8, which=0, role="member")
    m.group(kind="accept_invitation", who=9, other=0, which=1, role="member")


def _maintenance_roles(m):
    """A plain member registers the association with themselves as chair."""
    m.join(who=0)
    m.association(kind="save_association", who=1, mask=3, which=1)


SEQUENCES: dict[str, Callable] = {
    "gate": _gate,
    "electorate": _electorate,
    "tally": lambda m: _electorate(m, "object"),
    "paused_close": _paused_close,
    "decision_clock": _decision_clock,
    "majority_waits": _majority_waits,
    "open_steps": _open_steps,
    "invitation_address": _invitation_address,
    "maintenance_roles": _maintenance_roles,
}


class Steps:
    """The machine's rules, each followed by the checks, as hypothesis runs them."""

    def __init__(self, machine: GroupRulesMachine) -> None:
        self.machine = machine

    def __getattr__(self, name: str):
        rule = getattr(self.machine, name)

        def step(**arguments) -> None:
            rule(**arguments)
            self.machine.after_each_step()

        return step


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_a_sequence_that_once_broke_a_rule_holds(name, db_engine, tmp_path):
    """Each of these sequences broke its rule before issue 10 ("The group's rules hold");
    replayed with every check on, none may break any rule now."""
    machine = GroupRulesMachine(db_engine, tmp_path, NOW, Stats("known", "known"))
    machine.known_broken = KNOWN_BROKEN
    try:
        machine.start(workflow="proefproces", described=True)
        SEQUENCES[name](Steps(machine))
    finally:
        machine.teardown()
