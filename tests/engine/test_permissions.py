"""Residents lead: outsiders and the municipality's coaches change nothing in a process."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.errors import PermissionDenied
from engine.operations import (
    add_step,
    cast_vote,
    change_member_role,
    close_decision,
    complete_step,
    fire_transition,
    insert_stage,
    invite,
    move_step,
    open_decision,
    pause_initiative,
    remove_stage,
    remove_step,
    reopen_step,
    restore_stage,
    resume_initiative,
    set_target_date,
    set_visibility,
    skip_stage,
    update_initiative,
    update_step,
)
from tests import factories
from tests.factories import stored_state

MIN = timedelta(minutes=1)
LATER = timedelta(days=30)


@pytest.fixture
def scene(session, now):
    """An initiative in visioning with steps, an own stage and an open decision."""
    item = factories.initiative(session, now, members=2)
    anna = item.memberships[0].person
    bram = item.memberships[1].person
    fire_transition(session, anna, item.id, "start", now + MIN)
    open_step = add_step(session, anna, item.id, stage_key="visioning", title="Enquête", now=now)
    done_step = add_step(session, anna, item.id, stage_key="visioning", title="Avond", now=now)
    complete_step(session, anna, item.id, done_step.id, now + 2 * MIN)
    insert_stage(
        session, anna, item.id, after="execution", title="Buurtfeest", description="", now=now
    )
    decision = open_decision(session, anna, item.id, "plan", now + 3 * MIN)
    return {
        "item": item,
        "bram": bram,
        "open": open_step,
        "done": done_step,
        "decision": decision,
    }


OPERATIONS = {
    "update_initiative": lambda s, a, c, t: update_initiative(
        s, a, c["item"].id, title="Overgenomen", description="", now=t
    ),
    "set_visibility": lambda s, a, c, t: set_visibility(s, a, c["item"].id, "members", t),
    "invite": lambda s, a, c, t: invite(
        s, a, c["item"].id, email="vriend@example.nl", role="member", now=t
    ),
    "change_member_role": lambda s, a, c, t: change_member_role(
        s, a, c["item"].id, c["bram"].id, "initiator", t
    ),
    "add_step": lambda s, a, c, t: add_step(
        s, a, c["item"].id, stage_key="visioning", title="Ook iets", now=t
    ),
    "update_step": lambda s, a, c, t: update_step(
        s, a, c["item"].id, c["open"].id, title="Anders", owner_id=None, due_date=None, now=t
    ),
    "move_step": lambda s, a, c, t: move_step(s, a, c["item"].id, c["open"].id, position=1, now=t),
    "complete_step": lambda s, a, c, t: complete_step(s, a, c["item"].id, c["open"].id, t),
    "reopen_step": lambda s, a, c, t: reopen_step(s, a, c["item"].id, c["done"].id, t),
    "remove_step": lambda s, a, c, t: remove_step(s, a, c["item"].id, c["open"].id, t),
    "set_target_date": lambda s, a, c, t: set_target_date(
        s, a, c["item"].id, stage_key="execution", target_date=date(2027, 3, 1), now=t
    ),
    "skip_stage": lambda s, a, c, t: skip_stage(s, a, c["item"].id, "visioning", t),
    "restore_stage": lambda s, a, c, t: restore_stage(s, a, c["item"].id, "visioning", t),
    "insert_stage": lambda s, a, c, t: insert_stage(
        s, a, c["item"].id, after="execution", title="Van ons", description="", now=t
    ),
    "remove_stage": lambda s, a, c, t: remove_stage(s, a, c["item"].id, "own_1", t),
    "pause_initiative": lambda s, a, c, t: pause_initiative(
        s, a, c["item"].id, reason="Zomer", now=t
    ),
    "resume_initiative": lambda s, a, c, t: resume_initiative(s, a, c["item"].id, now=t),
    "fire_transition": lambda s, a, c, t: fire_transition(s, a, c["item"].id, "plan", t),
    "open_decision": lambda s, a, c, t: open_decision(s, a, c["item"].id, "plan", t),
    "cast_vote": lambda s, a, c, t: cast_vote(s, a, c["decision"].id, "object", t),
    "close_decision": lambda s, a, c, t: close_decision(s, a, c["decision"].id, t),
}


@pytest.mark.parametrize("who", ["outsider", "coach", "admin"])
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_only_the_group_changes_its_process(session, now, scene, who, operation):
    role = "resident" if who == "outsider" else who
    actor = factories.person(session, now, f"Niet van de groep ({who})", role=role)
    before = stored_state(session, scene["item"].id)
    with pytest.raises(PermissionDenied) as caught:
        OPERATIONS[operation](session, actor, scene, now + LATER)
    assert caught.value.message.render()
    assert stored_state(session, scene["item"].id) == before


def test_a_coach_asking_what_is_possible_is_told_why_not(session, now, scene):
    """A coach asking what is possible gets the reason, not a crash."""
    from engine.operations import list_moves

    coach = factories.staff(session, now)
    (move,) = list_moves(session, coach, scene["item"])
    assert not move.allowed
    assert any("Join this initiative" in r.render() for r in move.reasons)
