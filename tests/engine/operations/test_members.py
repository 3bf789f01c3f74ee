"""The group around an initiative: invitations, joining, leaving, removal, roles, settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import InvalidInput, NotFound, PermissionDenied, Refused
from engine.i18n import translate
from engine.models import Initiative, Membership, Step
from engine.operations import (
    accept_invitation,
    add_step,
    change_member_role,
    complete_step,
    invite,
    join_initiative,
    leave_initiative,
    set_join_policy,
    set_visibility,
)
from engine.operations.invitations import masked_address
from tests import factories
from tests.factories import stored_state

MIN = timedelta(minutes=1)


def _initiator(item: Initiative):
    return item.memberships[0].person


def _role_of(session, item: Initiative, person) -> str | None:
    return session.scalar(
        select(Membership.role).where(
            Membership.initiative_id == item.id, Membership.person_id == person.id
        )
    )


def _member(session, now, item: Initiative, name: str = "Bram Bakker"):
    bram = factories.person(session, now, name)
    join_initiative(session, bram, item.id, now)
    return bram


# --- invitations ------------------------------------------------------------------------------


def test_invitation_link_brings_a_neighbour_in(session, now):
    item = factories.initiative(session, now)
    anna = _initiator(item)
    invitation = invite(
        session, anna, item.id, email=" Cor@Example.NL ", role="member", now=now + MIN
    )
    assert invitation.email == "cor@example.nl"
    assert len(invitation.token) >= 32
    assert invitation.expires_dt == now + MIN + timedelta(days=14)
    assert factories.event_count(session, item.id, "invited") == 1

    cor = factories.person(session, now, "Cor Jansen", email="cor@example.nl")
    membership = accept_invitation(session, cor, invitation.token, now + timedelta(days=3))
    assert membership.role == "member"
    assert _role_of(session, item, cor) == "member"
    assert invitation.accepted_by_id == cor.id
    (joined,) = factories.events_of(session, item.id, "joined")
    assert joined.actor_id == cor.id


def test_invitation_expires_after_14_days(session, now):
    item = factories.initiative(session, now)
    invitation = invite(
        session, _initiator(item), item.id, email="cor@example.nl", role="member", now=now
    )
    cor = factories.person(session, now, "Cor Jansen", email="cor@example.nl")
    before = stored_state(session, item.id)
    with pytest.raises(Refused) as caught:
        accept_invitation(session, cor, invitation.token, now + timedelta(days=14))
    assert "expired" in caught.value.message.render()
    assert stored_state(session, item.id) == before
    # a moment before the fourteenth day ends, the link still works
    accept_invitation(session, cor, invitation.token, now + timedelta(days=14) - MIN)
    assert _role_of(session, item, cor) == "member"


def test_invitation_link_works_once(session, now):
    item = factories.initiative(session, now)
    invitation = invite(
        session, _initiator(item), item.id, email="cor@example.nl", role="member", now=now
    )
    cor = factories.person(session, now, "Cor", email="cor@example.nl")
    accept_invitation(session, cor, invitation.token, now)
    dirk = factories.person(session, now, "Dirk")
    before = stored_state(session, item.id)
    with pytest.raises(Refused) as caught:
        accept_invitation(session, dirk, invitation.token, now + MIN)
    assert "already been used" in caught.value.message.render()
    assert stored_state(session, item.id) == before
    assert _role_of(session, item, dirk) is None


def test_unknown_invitation_link(session, now):
    with pytest.raises(NotFound):
        accept_invitation(session, factories.person(session, now), "not-a-token", now)


def test_partner_stands_for_an_organisation(session, now):
    item = factories.initiative(session, now)
    anna = _initiator(item)
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput) as caught:
        invite(session, anna, item.id, email="school@example.nl", role="partner", now=now)
    assert "organisation" in caught.value.message.render()
    with pytest.raises(InvalidInput):
        invite(
            session, anna, item.id, email="school@example.nl", role="partner",
            organisation="   ", now=now,
        )  # fmt: skip
    assert stored_state(session, item.id) == before

    invitation = invite(
        session, anna, item.id, email="school@example.nl", role="partner",
        organisation=" Terra College ", now=now,
    )  # fmt: skip
    teacher = factories.person(session, now, "Docent Terra", email="school@example.nl")
    membership = accept_invitation(session, teacher, invitation.token, now + MIN)
    assert (membership.role, membership.organisation) == ("partner", "Terra College")


@pytest.mark.parametrize(
    "email, role",
    [("geen-adres", "member"), ("a b@example.nl", "member"), ("x@example.nl", "coach")],
)
def test_invite_refuses_bad_input(session, now, email, role):
    item = factories.initiative(session, now)
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput):
        invite(session, _initiator(item), item.id, email=email, role=role, now=now)
    assert stored_state(session, item.id) == before


def test_only_initiators_invite_initiators(session, now):
    item = factories.initiative(session, now)
    bram = _member(session, now, item)
    before = stored_state(session, item.id)
    with pytest.raises(PermissionDenied):
        invite(session, bram, item.id, email="eva@example.nl", role="initiator", now=now)
    assert stored_state(session, item.id) == before
    # a member may invite another member, an initiator may invite an initiator
    invite(session, bram, item.id, email="eva@example.nl", role="member", now=now)
    invite(session, _initiator(item), item.id, email="fe@example.nl", role="initiator", now=now)
    assert factories.event_count(session, item.id, "invited") == 2


def test_inviting_someone_already_in_the_group_is_refused(session, now):
    item = factories.initiative(session, now)
    bram = _member(session, now, item)
    with pytest.raises(Refused):
        invite(session, _initiator(item), item.id, email=bram.email, role="member", now=now)


def test_a_coach_cannot_join_through_an_invitation(session, now):
    item = factories.initiative(session, now)
    invitation = invite(
        session, _initiator(item), item.id, email="coach@example.nl", role="member", now=now
    )
    # the address became a coach's account after the invitation went out
    coach = factories.person(session, now, "Sanne Visser", role="coach", email="coach@example.nl")
    before = stored_state(session, item.id)
    with pytest.raises(PermissionDenied) as caught:
        accept_invitation(session, coach, invitation.token, now + MIN)
    assert "Staff support initiatives" in caught.value.message.render()
    assert stored_state(session, item.id) == before


def test_an_address_of_staff_is_not_invited(session, now):
    item = factories.initiative(session, now)
    coach = factories.staff(session, now)
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput) as caught:
        invite(session, _initiator(item), item.id, email=coach.email, role="member", now=now)
    assert caught.value.field == "email"
    assert stored_state(session, item.id) == before


def test_an_invitation_is_for_the_invited_address_only(session, now):
    item = factories.initiative(session, now)
    invitation = invite(
        session, _initiator(item), item.id, email="  Jan.Jansen@Example.NL ", role="member",
        now=now,
    )  # fmt: skip
    other = factories.person(session, now, "Kees Buitenstaander", email="kees@example.nl")
    before = stored_state(session, item.id)
    with pytest.raises(PermissionDenied) as caught:
        accept_invitation(session, other, invitation.token, now + MIN)
    for locale in ("en", "nl"):
        words = translate(caught.value.message, locale)
        assert "j…@example.nl" in words  # masked: the full address is not theirs to see
        assert "jan.jansen" not in words.lower()
    assert "another e-mail address" in translate(caught.value.message, "en")
    assert "ander e-mailadres" in translate(caught.value.message, "nl")
    assert stored_state(session, item.id) == before
    assert invitation.accepted_dt is None and _role_of(session, item, other) is None
    # the invited neighbour, whatever the case of their address, comes in with the link
    jan = factories.person(session, now, "Jan Jansen", email="JAN.jansen@example.nl ")
    accept_invitation(session, jan, invitation.token, now + 2 * MIN)
    assert _role_of(session, item, jan) == "member"


@pytest.mark.parametrize(
    "address, shown",
    [("jan@example.nl", "j…@example.nl"), (" A@B.nl ", "a…@b.nl"), ("x@y", "x…@y")],
)
def test_a_masked_address_shows_the_first_letter_and_the_domain(address, shown):
    assert masked_address(address) == shown


# --- join and leave ---------------------------------------------------------------------------


def test_neighbour_joins_a_public_initiative_once(session, now):
    item = factories.initiative(session, now)
    bram = _member(session, now, item)
    assert _role_of(session, item, bram) == "member"
    assert factories.event_count(session, item.id, "joined") == 1
    before = stored_state(session, item.id)
    with pytest.raises(Refused):
        join_initiative(session, bram, item.id, now + MIN)
    assert stored_state(session, item.id) == before


def test_a_group_on_approval_is_not_joined_at_once(session, now):
    item = factories.initiative(session, now, join_policy="approval")
    neighbour = factories.person(session, now, "Henk Mulder")
    before = stored_state(session, item.id)
    with pytest.raises(Refused) as caught:
        join_initiative(session, neighbour, item.id, now + MIN)
    assert "Ask to join instead" in translate(caught.value.message, "en")
    assert stored_state(session, item.id) == before
    assert _role_of(session, item, neighbour) is None


def test_a_new_initiative_asks_for_approval_unless_the_group_opens_it(session, now):
    anna = factories.person(session, now, "Anna de Vries")
    item = factories.initiative(session, now, initiator=anna, join_policy="approval")
    from engine.operations import create_initiative

    plain = create_initiative(
        session, anna, workflow="proefproces", title="Zonder keuze", description="",
        neighbourhood_id=item.neighbourhood_id, now=now,
    )  # fmt: skip
    assert plain.join_policy == "approval"  # the default
    set_join_policy(session, anna, plain.id, "open", now + MIN)
    bram = _member(session, now + 2 * MIN, plain)
    assert _role_of(session, plain, bram) == "member"
    (event,) = factories.events_of(session, plain.id, "join_policy")
    assert (event.actor_id, event.data) == (anna.id, {"old": "approval", "new": "open"})


def test_members_only_initiative_cannot_be_joined(session, now):
    item = factories.initiative(session, now, visibility="members")
    outsider = factories.person(session, now, "Buitenstaander")
    before = stored_state(session, item.id)
    with pytest.raises((NotFound, PermissionDenied)):
        join_initiative(session, outsider, item.id, now + MIN)
    assert stored_state(session, item.id) == before


@pytest.mark.parametrize("role", ["coach", "admin"])
def test_staff_cannot_join(session, now, role):
    item = factories.initiative(session, now)
    staff = factories.person(session, now, "Gemeente", role=role)
    before = stored_state(session, item.id)
    with pytest.raises(PermissionDenied):
        join_initiative(session, staff, item.id, now + MIN)
    assert stored_state(session, item.id) == before


def test_member_leaves_and_it_is_recorded(session, now):
    item = factories.initiative(session, now)
    bram = _member(session, now, item)
    leave_initiative(session, bram, item.id, now + MIN)
    assert _role_of(session, item, bram) is None
    (left,) = factories.events_of(session, item.id, "left")
    assert (left.actor_id, left.data["role"]) == (bram.id, "member")
    assert factories.events_of(session, item.id, "steps.unowned") == []  # he owned none


def test_who_leaves_hands_back_their_open_steps(session, now):
    item = factories.initiative(session, now)
    anna = _initiator(item)
    bram = _member(session, now, item)
    mine = add_step(session, anna, item.id, stage_key="proposal", title="Flyers", owner_id=bram.id,
                    now=now)  # fmt: skip
    done = add_step(session, anna, item.id, stage_key="proposal", title="Zaal", owner_id=bram.id,
                    now=now)  # fmt: skip
    complete_step(session, bram, item.id, done.id, now + MIN)
    leave_initiative(session, bram, item.id, now + 2 * MIN)
    assert session.get(Step, mine.id).owner_id is None
    assert session.get(Step, done.id).owner_id == bram.id  # who did it stays on record
    (left,) = factories.events_of(session, item.id, "left")
    assert left.data == {"role": "member"}
    (unowned,) = factories.events_of(session, item.id, "steps.unowned")
    assert (unowned.actor_id, unowned.data) == (bram.id, {"person": bram.id, "steps": [mine.id]})


def test_last_initiator_cannot_leave(session, now):
    item = factories.initiative(session, now)
    anna = _initiator(item)
    bram = _member(session, now, item)
    before = stored_state(session, item.id)
    with pytest.raises(Refused) as caught:
        leave_initiative(session, anna, item.id, now + MIN)
    assert "only initiator" in caught.value.message.render()
    assert stored_state(session, item.id) == before

    change_member_role(session, anna, item.id, bram.id, "initiator", now + 2 * MIN)
    leave_initiative(session, anna, item.id, now + 3 * MIN)
    assert _role_of(session, item, anna) is None


def test_outsider_cannot_leave(session, now):
    item = factories.initiative(session, now)
    with pytest.raises(Refused):
        leave_initiative(session, factories.person(session, now), item.id, now)


# --- roles ------------------------------------------------------------------------------------


def test_initiator_gives_a_member_another_role(session, now):
    item = factories.initiative(session, now)
    bram = _member(session, now, item)
    change_member_role(session, _initiator(item), item.id, bram.id, "initiator", now + MIN)
    assert _role_of(session, item, bram) == "initiator"
    (event,) = factories.events_of(session, item.id, "role")
    assert event.data == {"person": bram.id, "old": "member", "new": "initiator"}


def test_only_initiators_change_roles(session, now):
    item = factories.initiative(session, now)
    bram = _member(session, now, item)
    cor = _member(session, now, item, "Cor Jansen")
    before = stored_state(session, item.id)
    with pytest.raises(PermissionDenied):
        change_member_role(session, bram, item.id, cor.id, "initiator", now + MIN)
    with pytest.raises(PermissionDenied):
        change_member_role(session, bram, item.id, bram.id, "initiator", now + MIN)
    assert stored_state(session, item.id) == before


def test_the_group_keeps_one_initiator(session, now):
    item = factories.initiative(session, now)
    anna = _initiator(item)
    _member(session, now, item)
    before = stored_state(session, item.id)
    with pytest.raises(Refused):
        change_member_role(session, anna, item.id, anna.id, "member", now + MIN)
    assert stored_state(session, item.id) == before


@pytest.mark.parametrize("role", ["coach", "admin", "boss"])
def test_roles_outside_the_group_cannot_be_given(session, now, role):
    item = factories.initiative(session, now)
    bram = _member(session, now, item)
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput):
        change_member_role(session, _initiator(item), item.id, bram.id, role, now + MIN)
    assert stored_state(session, item.id) == before


def test_role_of_someone_outside_the_group(session, now):
    item = factories.initiative(session, now)
    stranger = factories.person(session, now)
    with pytest.raises(NotFound):
        change_member_role(session, _initiator(item), item.id, stranger.id, "member", now)


# --- visibility -------------------------------------------------------------------------------


def test_group_hides_and_shows_its_initiative(session, now):
    item = factories.initiative(session, now)
    anna = _initiator(item)
    set_visibility(session, anna, item.id, "members", now + MIN)
    assert item.visibility == "members"
    # setting the same value again is no change and no event
    set_visibility(session, anna, item.id, "members", now + 2 * MIN)
    set_visibility(session, anna, item.id, "public", now + 3 * MIN)
    events = factories.events_of(session, item.id, "visibility")
    assert [(e.data["old"], e.data["new"]) for e in events] == [
        ("public", "members"),
        ("members", "public"),
    ]


@pytest.mark.parametrize("change", ["visibility", "join_policy"])
def test_only_initiators_change_who_sees_and_who_joins(session, now, change):
    item = factories.initiative(session, now)
    bram = _member(session, now, item)
    coach = factories.staff(session, now)
    outsider = factories.person(session, now)
    before = stored_state(session, item.id)
    for someone in (bram, coach, outsider):
        with pytest.raises(PermissionDenied) as caught:
            if change == "visibility":
                set_visibility(session, someone, item.id, "members", now + MIN)
            else:
                set_join_policy(session, someone, item.id, "approval", now + MIN)
        assert "Only initiators" in translate(caught.value.message, "en")
    assert stored_state(session, item.id) == before
    assert (item.visibility, item.join_policy) == ("public", "open")


def test_join_policy_must_be_a_known_choice(session, now):
    item = factories.initiative(session, now)
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput) as caught:
        set_join_policy(session, _initiator(item), item.id, "whoever", now + MIN)
    assert caught.value.field == "join_policy"
    assert stored_state(session, item.id) == before


def test_visibility_must_be_a_known_choice(session, now):
    item = factories.initiative(session, now)
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput):
        set_visibility(session, _initiator(item), item.id, "secret", now + MIN)
    assert stored_state(session, item.id) == before
