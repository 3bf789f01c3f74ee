"""The checks of the stateful test bite: each one sees the breach it is there for.

The engine refuses (or will refuse, once issue 10 is fixed) what these tests do, so each breach
is written straight into the database, as a bug in an operation would. The state machine of
tests/engine/test_group_invariants.py is driven by hand: one group, a few operations, then the
sabotage, then the checks between the snapshot before and the one after.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, update

from engine.errors import Refused
from engine.i18n import msg
from engine.models import Decision, Initiative, Invitation, Membership, Step, Vote
from engine.operations.common import record
from tests.conftest import NOW
from tests.engine.test_group_invariants import KNOWN_BROKEN, GroupRulesMachine
from tests.invariants.checks import violations
from tests.invariants.snapshot import take
from tests.invariants.summary import Stats

DAY = timedelta(days=1)


@pytest.fixture
def group(db_engine, tmp_path):
    """A group on the test template (proposal → visioning, optional → execution → maintenance)
    with two residents. The engine's own steps may break only the rules in KNOWN_BROKEN; the
    tests look at every rule broken by what they write themselves (:func:`broken`)."""
    machine = GroupRulesMachine(db_engine, tmp_path, NOW, Stats("test", "test"))
    machine.start(workflow="proefproces", described=True)
    machine.join(who=0)
    machine.after_each_step()
    yield machine
    machine.teardown()


def broken(machine) -> set[str]:
    """The names of the rules broken since the last check (the machine's history learns)."""
    post = take(machine.session, machine.iid, machine.snapshot.last_event_id)
    return {name for name, _ in violations(machine.history, machine.w, machine.snapshot, post)}


def sabotage(machine, kind: str, **data) -> None:
    """An event written as an operation would, without the change it should come with."""
    record(machine.session, machine.initiative(), None, machine.now, kind, **data)
    machine.session.flush()


def move_behind_the_engines_back(machine, dest: str, trigger: str) -> None:
    here = machine.snapshot.state
    machine.session.execute(update(Initiative).values(state=dest))
    sabotage(machine, "transition", from_stage=here, to_stage=dest, trigger=trigger)


def test_a_group_that_keeps_the_rules_breaks_none_but_the_known_ones(group):
    for _ in range(5):  # plan a step, do it, start; open the decision, agree, go on; …
        group.push()
    assert group.snapshot.state == "maintenance"  # the whole way, by the template's rules
    assert group.stats.first_message.keys() <= KNOWN_BROKEN
    assert broken(group) == set()


def test_entering_a_gated_stage_without_its_gate_is_caught(group):
    move_behind_the_engines_back(group, "execution", "start")
    assert "gate" in broken(group)  # "plan" needs an approved consent decision


def test_going_back_to_a_stage_never_entered_is_caught(group):
    group.push()  # into visioning
    move_behind_the_engines_back(group, "proposal", "review_send_back")
    assert "gate" not in broken(group)  # the group was in the proposal stage before
    group.history.visited.discard("proposal")
    assert "gate" in broken(group)


def test_a_vote_from_outside_the_electorate_is_caught(group):
    group.push()
    group.open_decision(who=0, which=0)
    group.after_each_step()
    (decision,) = group.snapshot.decisions
    group.join(who=0)
    group.after_each_step()
    newcomer = max(group.snapshot.members)
    group.session.add(Vote(decision_id=decision, person_id=newcomer, choice="object", cast_dt=NOW))
    group.session.flush()
    assert "electorate" in broken(group)


def _close(group, status: str, at) -> None:
    group.session.execute(update(Decision).values(status=status, closed_dt=at))
    sabotage(group, f"decision.{status}")


def test_a_decision_closed_while_paused_is_caught(group):
    group.push()
    group.open_decision(who=0, which=0)
    group.after_each_step()
    group.pace(resume=False, who=0, reason="Zomervakantie")
    group.after_each_step()
    group.w.now += 8 * DAY
    _close(group, "approved", group.now)
    assert {"paused_close", "decision_clock"} <= broken(group)


def test_a_consent_period_cut_short_by_a_pause_is_caught(group):
    group.push()
    group.open_decision(who=0, which=0)
    group.after_each_step()
    group.holiday(wait=4 * DAY, shift=False)  # 4 of the 7 days paused
    group.after_each_step()
    group.w.now += 3 * DAY + timedelta(hours=1)
    _close(group, "approved", group.now)
    assert broken(group) == {"decision_clock"}


def test_a_majority_closed_before_everyone_voted_is_caught(group):
    for _ in range(4):  # start; open the consent decision; both agree and the group goes on
        group.push()
    assert group.snapshot.state == "execution"
    group.open_decision(who=0, which=0)  # hand over to the association: a majority decides
    group.after_each_step()
    _close(group, "rejected", group.now)
    assert "majority_waits" in broken(group)


def test_a_stage_change_without_its_event_is_caught(group):
    group.session.execute(update(Initiative).values(state="visioning"))
    assert "events" in broken(group)


def test_a_pause_without_its_event_is_caught(group):
    group.session.execute(update(Initiative).values(is_paused=True, paused_dt=NOW))
    assert "events" in broken(group)


def test_a_stage_that_cannot_reach_the_end_is_caught(group):
    group.session.execute(update(Initiative).values(graph_key='[["skip","proposal"]]'))
    sabotage(group, "stage.skipped", stage="proposal")
    assert "reachable" in broken(group)


def test_a_step_gone_without_a_word_is_caught(group):
    group.steps(kind="add_step", who=0, which=0, here=True, days=3)
    group.after_each_step()
    group.session.execute(delete(Step))
    sabotage(group, "updated")  # some event, but not one that names the step
    assert "vanished" in broken(group)


def test_a_member_gone_without_a_word_is_caught(group):
    group.session.execute(delete(Membership).where(Membership.role == "member"))
    sabotage(group, "updated")
    assert "vanished" in broken(group)


def test_an_open_step_left_behind_silently_is_caught(group):
    group.steps(kind="add_step", who=0, which=0, here=True, days=3)
    group.after_each_step()
    move_behind_the_engines_back(group, "visioning", "start")
    assert "open_steps" in broken(group)


def test_an_invitation_used_by_someone_else_is_caught(group):
    invitee, other = group.w.residents[3:5]
    group.group(kind="invite", who=0, other=10, which=0, role="member")  # resident 3's address
    group.after_each_step()
    group.session.execute(update(Invitation).values(accepted_dt=NOW, accepted_by_id=other))
    group.session.add(
        Membership(initiative_id=group.iid, person_id=other, role="member", joined_dt=NOW)
    )
    sabotage(group, "joined", role="member")
    assert group.snapshot.invitations and invitee != other
    assert "invitation_address" in broken(group)


def test_staff_in_the_group_is_caught(group):
    group.session.add(
        Membership(initiative_id=group.iid, person_id=group.w.coach_id, role="member",
                   joined_dt=NOW)
    )  # fmt: skip
    sabotage(group, "joined", role="member")
    assert "staff_not_members" in broken(group)


def test_a_refusal_that_wrote_something_is_caught(group):
    def writes_then_refuses():
        sabotage(group, "updated")
        raise Refused(msg("This initiative is paused. Resume it first."))

    with pytest.raises(AssertionError, match=r"\[refusal\]"):
        group.run("sabotage", writes_then_refuses)


def test_a_plain_member_managing_the_association_is_caught(group):
    member = next(p for p, role in group.snapshot.members.items() if role == "member")
    group.known_broken = frozenset()
    with pytest.raises(AssertionError, match=r"\[maintenance_roles\]"):
        group.managed("save_association", group.w.person(member), result=None)
