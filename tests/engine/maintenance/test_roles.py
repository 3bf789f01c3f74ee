"""Who may do what in zelfbeheer: every operation × everyone's standing towards it.

The association's board and the initiators manage the association, the agreement, the tasks
and the rota; a plain member looks after their own turns; outsiders and coaches change
nothing (a coach confirms the agreement for the municipality). A refusal changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from engine.errors import PermissionDenied, Refused
from engine.maintenance.agreement import confirm_agreement, review_agreement, save_agreement
from engine.maintenance.association import get_association, members_of, save_association
from engine.maintenance.occurrences import mark_done, skip_occurrence
from engine.maintenance.roles import managers_of, standing
from engine.maintenance.rota import reassign_turn, set_rota, step_out, swap_turns
from engine.maintenance.swaps import propose_swap
from engine.maintenance.tasks import create_task, end_task, update_task
from engine.models import Membership
from engine.permissions import (
    can_ask_swap,
    can_found_association,
    can_handle_turn,
    can_manage_maintenance,
)
from engine.timeutil import local_date
from tests import factories
from tests.factories import MaintenanceGroup, maintenance_state, stored_state

STANDINGS = ("member", "board", "initiator", "outsider", "coach")
MANAGERS = {"board", "initiator"}
GROUP = {"member", "board", "initiator"}


def _actor(group: MaintenanceGroup, standing_: str):
    return getattr(group, standing_)


def _someone_else(group: MaintenanceGroup, actor):
    """A volunteer on the rota who is not the actor."""
    return next(p for p in (group.member, group.board, group.initiator) if p.id != actor.id)


def _save_association(s, a, g, t, changes: dict[int, str] | None = None):
    """Save the association as it is, with a new name and these places changed."""
    association = get_association(s, g.item.id)
    places = {m.person_id: m.board_role or "member" for m in members_of(s, association.id)}
    places.update(changes or {})
    return save_association(
        s,
        a,
        g.item.id,
        name="Bewonersvereniging De Kade",
        kvk_number="41012345",
        contact_person_id=g.initiator.id,
        members=places,
        now=t,
    )


#: operation → (what it does, who may do it); each gets (session, actor, group, now)
MANAGING = {
    "rename the association": lambda s, a, g, t: _save_association(s, a, g, t),
    "take a board place": lambda s, a, g, t: _save_association(s, a, g, t, {a.id: "chair"}),
    "change the agreement": lambda s, a, g, t: save_agreement(
        s,
        a,
        g.item.id,
        association_duties="Alles.",
        municipality_duties="Niets.",
        start_date=local_date(t),
        now=t,
    ),
    "hold the review": lambda s, a, g, t: review_agreement(s, a, g.item.id, outcome="renew", now=t),
    "add a task": lambda s, a, g, t: create_task(
        s,
        a,
        g.item.id,
        title="Bankjes schoonmaken",
        rule="FREQ=WEEKLY",
        starts_on=local_date(t),
        volunteer_ids=[g.member.id],
        now=t,
    ),
    "change a task": lambda s, a, g, t: update_task(
        s,
        a,
        g.item.id,
        g.task.id,
        title="Kade vegen en harken",
        rule="FREQ=DAILY",
        starts_on=g.task.starts_on,
        now=t,
    ),
    "end a task": lambda s, a, g, t: end_task(s, a, g.item.id, g.task.id, now=t),
    "set the rota": lambda s, a, g, t: set_rota(
        s, a, g.item.id, g.task.id, [g.member.id, g.board.id], now=t
    ),
    "take someone else off the rota": lambda s, a, g, t: step_out(
        s, a, g.item.id, g.task.id, _someone_else(g, a).id, now=t
    ),
    "swap two turns directly": lambda s, a, g, t: swap_turns(
        s, a, g.item.id, g.turn_of(s, g.initiator).id, g.turn_of(s, g.member).id, now=t
    ),
    "give a turn to someone": lambda s, a, g, t: reassign_turn(
        s, a, g.item.id, g.turn_of(s, g.initiator).id, g.member.id, now=t
    ),
    "record someone else's turn": lambda s, a, g, t: mark_done(
        s, a, g.item.id, g.turn_of(s, _someone_else(g, a)).id, now=t
    ),
}

#: what a volunteer does with their own turn (an outsider or coach tries it on Cor's)
OWN = {
    "record one's own turn": lambda s, a, g, t, mine: mark_done(s, a, g.item.id, mine.id, now=t),
    "skip one's own turn": lambda s, a, g, t, mine: skip_occurrence(
        s, a, g.item.id, mine.id, now=t
    ),
    "step out of the rota oneself": lambda s, a, g, t, mine: step_out(
        s, a, g.item.id, g.task.id, mine.assignee_id, now=t
    ),
    "ask to swap one's own turn": lambda s, a, g, t, mine: propose_swap(
        s, a, g.item.id, mine.id, other_id=g.turn_of(s, _someone_else(g, a)).id, now=t
    ),
}


@pytest.fixture
def group(session, now) -> MaintenanceGroup:
    return factories.maintenance_group(session, now)


def _try(session, group, call, later):
    """Run ``call``; return None, or the refusal with proof that nothing changed."""
    before = (maintenance_state(session, group.item.id), stored_state(session, group.item.id))
    try:
        with session.begin_nested():
            call()
    except PermissionDenied as refusal:
        after = (maintenance_state(session, group.item.id), stored_state(session, group.item.id))
        assert after == before, "a refusal changed something"
        return refusal
    assert factories.event_count(session, group.item.id) > before[1]["events"]
    return None


@pytest.mark.parametrize("who", STANDINGS)
@pytest.mark.parametrize("operation", sorted(MANAGING))
def test_only_the_board_and_the_initiators_manage(session, now, group, operation, who):
    actor = _actor(group, who)
    later = now + timedelta(hours=1)
    refusal = _try(session, group, lambda: MANAGING[operation](session, actor, group, later), later)
    if who in MANAGERS:
        assert refusal is None, f"{who} may {operation}"
    else:
        assert refusal is not None, f"{who} may not {operation}"
        assert "board" in refusal.message.render()


@pytest.mark.parametrize("who", STANDINGS)
@pytest.mark.parametrize("operation", sorted(OWN))
def test_every_volunteer_looks_after_their_own_turns(session, now, group, operation, who):
    actor = _actor(group, who)
    mine = group.turn_of(session, actor if who in GROUP else group.member)
    refusal = _try(session, group, lambda: OWN[operation](session, actor, group, now, mine), now)
    assert (refusal is None) == (who in GROUP), f"{who}: {operation}"


@pytest.mark.parametrize("who", STANDINGS)
def test_only_a_coach_confirms_the_agreement(session, now, group, who):
    actor = _actor(group, who)
    refusal = _try(
        session, group, lambda: confirm_agreement(session, actor, group.item.id, now=now), now
    )
    assert (refusal is None) == (who == "coach")


def test_the_rules_in_one_place():
    for role in ("initiator", "member", "partner"):
        assert can_manage_maintenance(role, "treasurer")
        assert can_handle_turn(role, None, own=True) and can_ask_swap(role, own=True)
        assert not can_ask_swap(role, own=False)
    assert can_manage_maintenance("initiator", None)
    assert not can_manage_maintenance("member", None)
    assert not can_handle_turn("member", None, own=False)
    # a board place counts only while its holder is in the resident group
    for role in (None, "coach"):
        assert not can_manage_maintenance(role, "chair")
        assert not can_handle_turn(role, "chair", own=True)
    assert [can_found_association(r) for r in ("initiator", "member", "partner", None)] == [
        True,
        False,
        False,
        False,
    ]


# --- the board: founded by the initiators, never left without someone to manage it ----------


def test_a_plain_member_cannot_make_themselves_chair(session, now, group):
    cor = group.member
    with pytest.raises(PermissionDenied):
        _save_association(session, cor, group, now, {cor.id: "chair"})
    assert standing(session, group.item.id, cor).board_role is None


def test_the_initiators_found_the_association_and_choose_its_first_board(session, now):
    item = factories.initiative(session, now, members=1)
    anna, bram = (m.person for m in item.memberships)
    before = stored_state(session, item.id)
    with pytest.raises(PermissionDenied) as caught:
        save_association(
            session,
            bram,
            item.id,
            name="Vereniging",
            contact_person_id=bram.id,
            members={bram.id: "chair", anna.id: "member"},
            now=now,
        )
    assert "initiators" in caught.value.message.render()
    assert stored_state(session, item.id) == before
    save_association(
        session,
        anna,
        item.id,
        name="Vereniging",
        contact_person_id=bram.id,
        members={bram.id: "chair", anna.id: "member"},
        now=now,
    )
    # from now on Bram, the chair, manages it too
    assert standing(session, item.id, bram).manages
    assert managers_of(session, item.id) == {anna.id, bram.id}


def test_a_board_member_hands_the_chair_over_and_it_is_in_the_history(session, now, group):
    bram, cor = group.board, group.member
    _save_association(session, bram, group, now, {bram.id: "member", cor.id: "secretary"})
    assert standing(session, group.item.id, cor).manages
    assert not standing(session, group.item.id, bram).manages
    (event,) = factories.events_of(session, group.item.id, "association.updated")
    assert sorted(event.data["board_changes"]) == sorted(
        [[bram.id, "secretary", None], [cor.id, None, "secretary"]]
    )


def test_the_association_is_never_left_without_someone_to_manage_it(session, now, group):
    anna, bram = group.initiator, group.board
    # while there are initiators, the board may be emptied (the guard still asks for one)
    _save_association(session, bram, group, now, {anna.id: "member"})
    # an initiative whose initiators are gone (a coach started it for the residents, say)
    session.execute(
        update(Membership)
        .where(Membership.initiative_id == group.item.id, Membership.role == "initiator")
        .values(role="member")
    )
    assert managers_of(session, group.item.id) == {bram.id}
    before = maintenance_state(session, group.item.id)
    with pytest.raises(Refused) as caught:
        _save_association(session, bram, group, now, {bram.id: "member"})
    assert "Nobody would be left to manage" in caught.value.message.render()
    assert maintenance_state(session, group.item.id) == before


def test_someone_who_left_the_group_no_longer_manages(session, now, group):
    bram = group.board
    session.execute(
        update(Membership)
        .where(Membership.initiative_id == group.item.id, Membership.person_id == bram.id)
        .values(role="coach")
    )
    assert not standing(session, group.item.id, bram).manages
    with pytest.raises(PermissionDenied):
        end_task(session, bram, group.item.id, group.task.id, now=now)
