"""Gates join: both moves' guards, the roles both allow, the decision both ask for."""

from __future__ import annotations

import pytest

from engine.workflows.definitions import DecisionRule, GuardRef, Text, TransitionDef
from engine.workflows.gates import Gate, GateConflict, covers, decision_covers, join

DOC = GuardRef("document_present")
ANY_DOC = GuardRef("document_present", (("stage_only", False),))
STEPS = GuardRef("steps_done")
CONSENT_7, CONSENT_14 = DecisionRule("consent", 7), DecisionRule("consent", 14)
MAJORITY = DecisionRule("majority")


def _move(trigger, guards=(), roles=("initiator", "member"), decision=None):
    return TransitionDef(trigger, Text(trigger, trigger), ("a",), "b", roles, guards, decision)


def test_joined_gates_ask_everything_both_ask():
    first = _move("consult", (DOC,))
    then = _move("adopt", (ANY_DOC, STEPS, DOC), ("initiator",), CONSENT_14)
    assert join(first, then) == Gate((DOC, ANY_DOC, STEPS), ("initiator",), CONSENT_14)


@pytest.mark.parametrize(
    ("first", "then", "joined"),
    [
        (None, MAJORITY, MAJORITY),
        (CONSENT_14, None, CONSENT_14),
        (CONSENT_7, CONSENT_14, CONSENT_14),  # the longer period to object
        (CONSENT_14, CONSENT_7, CONSENT_14),
        (MAJORITY, MAJORITY, MAJORITY),
    ],
)
def test_the_decision_both_ask_for(first, then, joined):
    assert join(_move("x", decision=first), _move("y", decision=then)).decision == joined


def test_two_kinds_of_decision_cannot_be_one_move():
    with pytest.raises(GateConflict) as caught:
        join(_move("vote", decision=MAJORITY), _move("agree", decision=CONSENT_7))
    assert (caught.value.kind, caught.value.first, caught.value.then) == (
        "decision", "vote", "agree",
    )  # fmt: skip


def test_a_move_nobody_may_make_cannot_be_made():
    with pytest.raises(GateConflict) as caught:
        join(_move("x", roles=("partner",)), _move("y", roles=("initiator", "member")))
    assert caught.value.kind == "roles"


def test_covers_is_about_asking_at_least_as_much():
    strict = Gate((DOC, STEPS), ("initiator",), CONSENT_14)
    assert covers(strict, Gate((STEPS,), ("initiator", "member"), CONSENT_7))
    assert covers(strict, Gate((), ("initiator",), None))
    assert not covers(strict, Gate((ANY_DOC,), ("initiator",), None))  # another guard
    assert not covers(Gate((), ("initiator", "member"), None), Gate((), ("initiator",), None))
    assert not covers(strict, Gate((), ("initiator",), MAJORITY))
    assert decision_covers(CONSENT_14, CONSENT_7) and not decision_covers(CONSENT_7, CONSENT_14)
    assert not decision_covers(None, MAJORITY) and decision_covers(None, None)
