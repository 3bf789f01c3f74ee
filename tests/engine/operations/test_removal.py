"""Initiators remove a member, with a reason the history keeps; the group keeps its initiator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import InvalidInput, NotFound, PermissionDenied, Refused
from engine.i18n import translate
from engine.models import Initiative, Membership, Step
from engine.models.reminders import Reminder
from engine.operations import (
    add_step,
    assign_coach,
    change_member_role,
    complete_step,
    join_initiative,
    remove_member,
    set_visibility,
)
from engine.timeutil import local_date
from tests import factories
from tests.factories import stored_state

MIN = timedelta(minutes=1)
REASON = "Hield zich niet aan de afspraken van de groep."


@pytest.fixture
def group(session, now):
    """Anna leads; Bram and Cor are members."""
    item, (anna, bram, cor) = factories.initiative_with_group(session, now, members=2)
    return item, anna, bram, cor


def _role(session, item: Initiative, person) -> str | None:
    return session.scalar(
        select(Membership.role).where(
            Membership.initiative_id == item.id, Membership.person_id == person.id
        )
    )


def _pending_reminders(session, step_id: int) -> set[int]:
    return set(
        session.scalars(
            select(Reminder.person_id).where(
                Reminder.deadline_key == f"step:{step_id}", Reminder.status == "pending"
            )
        )
    )


def test_an_initiator_removes_a_member_and_the_history_says_why(session, now, group):
    item, anna, bram, cor = group
    due = local_date(now) + timedelta(days=5)
    flyers = add_step(session, anna, item.id, stage_key="proposal", title="Flyers rondbrengen",
                      owner_id=bram.id, due_date=due, now=now)  # fmt: skip
    hall = add_step(session, anna, item.id, stage_key="proposal", title="Zaal huren",
                    owner_id=bram.id, now=now)  # fmt: skip
    complete_step(session, bram, item.id, hall.id, now + MIN)
    assert _pending_reminders(session, flyers.id) == {bram.id}

    remove_member(session, anna, item.id, bram.id, now + 2 * MIN, reason=f"  {REASON}  ")
    assert _role(session, item, bram) is None
    (removed,) = factories.events_of(session, item.id, "member.removed")
    assert removed.actor_id == anna.id and removed.note == REASON
    assert removed.data == {"person": bram.id, "role": "member"}
    (unowned,) = factories.events_of(session, item.id, "steps.unowned")
    assert (unowned.actor_id, unowned.data) == (anna.id, {"person": bram.id, "steps": [flyers.id]})
    # the open step is the group's again, and so are its reminders; the done one keeps its doer
    assert session.get(Step, flyers.id).owner_id is None
    assert session.get(Step, hall.id).owner_id == bram.id
    assert _pending_reminders(session, flyers.id) == {anna.id, cor.id}


def test_a_removed_member_changes_nothing_any_more(session, now, group):
    item, anna, bram, _ = group
    remove_member(session, anna, item.id, bram.id, now, reason=REASON)
    before = stored_state(session, item.id)
    with pytest.raises(PermissionDenied):
        add_step(session, bram, item.id, stage_key="proposal", title="Toch nog", now=now + MIN)
    with pytest.raises(PermissionDenied):
        set_visibility(session, bram, item.id, "members", now + MIN)
    assert stored_state(session, item.id) == before


@pytest.mark.parametrize("reason", ["", "   ", "ok", "x" * 1001])
def test_a_removal_needs_a_reason(session, now, group, reason):
    item, anna, bram, _ = group
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput) as caught:
        remove_member(session, anna, item.id, bram.id, now, reason=reason)
    assert caught.value.field == "reason"
    assert stored_state(session, item.id) == before


def test_only_initiators_remove(session, now, group):
    item, anna, bram, cor = group
    coach = factories.staff(session, now)
    assign_coach(session, coach, coach_id=coach.id, initiative_id=item.id, now=now)
    admin = factories.staff(session, now, role="admin")
    outsider = factories.person(session, now)
    before = stored_state(session, item.id)
    for someone in (bram, coach, admin, outsider):
        with pytest.raises(PermissionDenied) as caught:
            remove_member(session, someone, item.id, cor.id, now, reason=REASON)
        assert "Only initiators" in translate(caught.value.message, "en")
    with pytest.raises(PermissionDenied):  # not even the initiator, by a member
        remove_member(session, bram, item.id, anna.id, now, reason=REASON)
    assert stored_state(session, item.id) == before


def test_the_last_initiator_is_neither_removed_nor_removes_themselves(session, now, group):
    item, anna, bram, _ = group
    before = stored_state(session, item.id)
    with pytest.raises(Refused) as caught:
        remove_member(session, anna, item.id, anna.id, now, reason=REASON)
    assert "Leave the group instead" in translate(caught.value.message, "en")
    assert stored_state(session, item.id) == before
    # with two initiators, one may remove the other; the group still has one
    change_member_role(session, anna, item.id, bram.id, "initiator", now + MIN)
    remove_member(session, bram, item.id, anna.id, now + 2 * MIN, reason=REASON)
    assert _role(session, item, anna) is None and _role(session, item, bram) == "initiator"


def test_someone_outside_the_group_is_not_found(session, now, group):
    item, anna, _, _ = group
    elsewhere = factories.initiative(session, now, title="Speeltuin Selwerd", members=1)
    theirs = elsewhere.memberships[1].person
    coach = factories.staff(session, now)
    before = stored_state(session, item.id), stored_state(session, elsewhere.id)
    for person_id in (theirs.id, coach.id, 987654):
        with pytest.raises(NotFound):
            remove_member(session, anna, item.id, person_id, now, reason=REASON)
    assert (stored_state(session, item.id), stored_state(session, elsewhere.id)) == before


def test_a_removed_member_can_be_invited_back(session, now, group):
    from engine.operations import accept_invitation, invite

    item, anna, bram, _ = group
    remove_member(session, anna, item.id, bram.id, now, reason=REASON)
    invitation = invite(session, anna, item.id, email=bram.email, role="member", now=now + MIN)
    accept_invitation(session, bram, invitation.token, now + 2 * MIN)
    assert _role(session, item, bram) == "member"
    # and, the group being open, may leave and come back on their own like anyone
    from engine.operations import leave_initiative

    leave_initiative(session, bram, item.id, now + 3 * MIN)
    join_initiative(session, bram, item.id, now + 4 * MIN)
    assert _role(session, item, bram) == "member"
