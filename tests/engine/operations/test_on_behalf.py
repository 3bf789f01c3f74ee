"""A process coach starts an initiative on behalf of residents and hands it to them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import InvalidInput, PermissionDenied, Refused
from engine.i18n import translate
from engine.models import CoachAssignment, Membership
from engine.operations import (
    accept_invitation,
    add_step,
    create_initiative,
    fire_transition,
    invite,
    join_initiative,
    open_decision,
    request_to_join,
    set_join_policy,
    set_visibility,
    update_initiative,
)
from engine.operations.membership import stands_in_for
from tests import factories
from tests.factories import stored_state

MIN = timedelta(minutes=1)


def _start(session, now, starter, **kw):
    return create_initiative(
        session, starter, workflow="proefproces", title="Groene speelplek Selwerd",
        description="Ouders vroegen om hulp bij een groenere speelplek.",
        neighbourhood_id=factories.neighbourhood(session).id, now=now, **kw,
    )  # fmt: skip


def _members(session, item) -> list[tuple[int, str]]:
    return [
        tuple(r)
        for r in session.execute(
            select(Membership.person_id, Membership.role)
            .where(Membership.initiative_id == item.id)
            .order_by(Membership.id)
        )
    ]


@pytest.mark.parametrize("role", ["coach", "admin"])
def test_staff_start_on_behalf_of_residents_and_never_become_members(session, now, role):
    starter = factories.staff(session, now, role=role)
    item = _start(session, now, starter)
    assert item.is_on_behalf and item.created_by_id == starter.id
    assert _members(session, item) == []
    assert session.scalar(
        select(CoachAssignment.id).where(
            CoachAssignment.coach_id == starter.id, CoachAssignment.initiative_id == item.id
        )
    )
    (created,) = factories.events_of(session, item.id, "created")
    assert created.actor_id == starter.id and created.data["on_behalf"] is True
    assert stands_in_for(session, item, starter)


def test_a_resident_who_starts_one_is_its_initiator(session, now):
    anna = factories.person(session, now, "Anna de Vries")
    item = _start(session, now, anna)
    assert not item.is_on_behalf
    assert _members(session, item) == [(anna.id, "initiator")]
    assert "on_behalf" not in factories.events_of(session, item.id, "created")[0].data


def test_the_coach_looks_after_the_basics_and_invites_but_does_not_steer(session, now):
    sanne = factories.staff(session, now, name="Sanne Visser")
    item = _start(session, now, sanne)
    update_initiative(
        session, sanne, item.id, title="Groene speelplek Siersteenlaan",
        description="Voor en met de ouders van Selwerd.", now=now + MIN,
    )  # fmt: skip
    assert item.title == "Groene speelplek Siersteenlaan"
    invitation = invite(
        session, sanne, item.id, email="karin@example.nl", role="initiator", now=now + MIN
    )
    assert invitation.role == "initiator"
    before = stored_state(session, item.id)
    with pytest.raises(PermissionDenied):
        add_step(session, sanne, item.id, stage_key="proposal", title="Buurtavond", now=now)
    with pytest.raises(PermissionDenied):
        fire_transition(session, sanne, item.id, "start", now + 2 * MIN)
    with pytest.raises(PermissionDenied):
        open_decision(session, sanne, item.id, "start", now + 2 * MIN)
    with pytest.raises(PermissionDenied):
        set_visibility(session, sanne, item.id, "members", now + 2 * MIN)
    with pytest.raises(PermissionDenied):
        set_join_policy(session, sanne, item.id, "open", now + 2 * MIN)
    # another coach did not start it: they stand in for nobody
    other = factories.staff(session, now)
    with pytest.raises(PermissionDenied):
        invite(session, other, item.id, email="piet@example.nl", role="member", now=now)
    assert stored_state(session, item.id) == before


def test_residents_wait_for_an_invitation_until_the_first_one_is_in(session, now):
    sanne = factories.staff(session, now, name="Sanne Visser")
    item = _start(session, now, sanne, join_policy="open")
    henk = factories.person(session, now, "Henk Mulder")
    before = stored_state(session, item.id)
    for attempt in (join_initiative, request_to_join):
        with pytest.raises(Refused) as caught:
            attempt(session, henk, item.id, now + MIN)
        assert "Ask the coach for an invitation" in translate(caught.value.message, "en")
    assert stored_state(session, item.id) == before


def test_the_first_resident_to_accept_becomes_initiator_and_the_coach_steps_back(session, now):
    sanne = factories.staff(session, now, name="Sanne Visser")
    item = _start(session, now, sanne, join_policy="open")
    first = invite(session, sanne, item.id, email="karin@example.nl", role="member", now=now)
    second = invite(session, sanne, item.id, email="piet@example.nl", role="member", now=now)
    karin = factories.person(session, now, "Karin de Boer", email="karin@example.nl")
    piet = factories.person(session, now, "Piet Smit", email="piet@example.nl")

    accept_invitation(session, karin, first.token, now + MIN)
    (joined,) = factories.events_of(session, item.id, "joined")
    assert joined.actor_id == karin.id
    assert joined.data == {"role": "initiator", "handover": True, "invitation": first.id}
    assert not stands_in_for(session, item, sanne)
    # the coach hands over: from now on the residents lead
    before = stored_state(session, item.id)
    with pytest.raises(PermissionDenied):
        update_initiative(session, sanne, item.id, title="Anders", description="", now=now)
    with pytest.raises(PermissionDenied):
        invite(session, sanne, item.id, email="joop@example.nl", role="member", now=now)
    assert stored_state(session, item.id) == before

    accept_invitation(session, piet, second.token, now + 2 * MIN)
    assert _members(session, item) == [(karin.id, "initiator"), (piet.id, "member")]
    add_step(session, karin, item.id, stage_key="proposal", title="Buurtavond", now=now)
    assert item.created_by_id == sanne.id and item.is_on_behalf  # the start stays on record


def test_a_coach_cannot_invite_themselves_in(session, now):
    sanne = factories.staff(session, now, name="Sanne Visser")
    item = _start(session, now, sanne)
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput) as caught:
        invite(session, sanne, item.id, email=sanne.email, role="initiator", now=now)
    assert caught.value.field == "email"
    assert stored_state(session, item.id) == before
    assert _members(session, item) == []
