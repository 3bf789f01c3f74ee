"""Asking to join: a neighbour asks, an initiator approves or declines, the neighbour withdraws."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Refused
from engine.i18n import translate
from engine.models import Initiative, JoinRequest, Membership
from engine.operations import (
    accept_invitation,
    approve_join_request,
    decline_join_request,
    invite,
    join_initiative,
    remove_member,
    request_to_join,
    withdraw_join_request,
)
from engine.operations import join_requests as module
from tests import factories
from tests.factories import stored_state

MIN = timedelta(minutes=1)


@pytest.fixture
def group(session, now):
    """An initiative on approval (the default): Anna leads, Bram is a member; Henk lives nearby."""
    anna = factories.person(session, now, "Anna de Vries")
    item = factories.initiative(session, now, initiator=anna, join_policy="approval")
    bram = factories.person(session, now, "Bram Bakker")
    asked = request_to_join(session, bram, item.id, now)
    approve_join_request(session, anna, item.id, asked.id, now)
    henk = factories.person(session, now, "Henk Mulder")
    return item, anna, bram, henk


def _role(session, item: Initiative, person) -> str | None:
    return session.scalar(
        select(Membership.role).where(
            Membership.initiative_id == item.id, Membership.person_id == person.id
        )
    )


def _requests(session, item: Initiative) -> list[tuple]:
    return [
        tuple(r)
        for r in session.execute(
            select(JoinRequest.person_id, JoinRequest.status, JoinRequest.role)
            .where(JoinRequest.initiative_id == item.id)
            .order_by(JoinRequest.id)
        )
    ]


# --- asking and being let in --------------------------------------------------------------------


def test_a_neighbour_asks_and_an_initiator_lets_them_in(session, now, group):
    item, anna, bram, henk = group
    request = request_to_join(
        session, henk, item.id, now + MIN, message="  Ik woon om de hoek en help graag.  "
    )
    assert (request.status, request.role, request.message) == (
        "pending", "member", "Ik woon om de hoek en help graag.",
    )  # fmt: skip
    assert _role(session, item, henk) is None  # asking is not joining
    (asked,) = [e for e in factories.events_of(session, item.id, "join.requested")
                if e.actor_id == henk.id]  # fmt: skip
    assert asked.data == {"request": request.id, "role": "member"}
    assert asked.note is None  # the message is for the initiators, not for the public history

    membership = approve_join_request(session, anna, item.id, request.id, now + 2 * MIN)
    assert (membership.person_id, membership.role) == (henk.id, "member")
    assert (request.status, request.decided_by_id, request.decided_dt) == (
        "approved", anna.id, now + 2 * MIN,
    )  # fmt: skip
    approved = factories.events_of(session, item.id, "join.approved")[-1]
    assert approved.actor_id == anna.id
    assert approved.data == {"person": henk.id, "role": "member", "request": request.id}


def test_a_partner_asks_for_their_organisation(session, now, group):
    item, anna, _, henk = group
    request = request_to_join(
        session, henk, item.id, now, role="partner", organisation="  Terra  College "
    )
    membership = approve_join_request(session, anna, item.id, request.id, now + MIN)
    assert (membership.role, membership.organisation) == ("partner", "Terra College")


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"role": "initiator"}, "role"),
        ({"role": "coach"}, "role"),
        ({"role": "partner"}, "organisation"),
        ({"role": "partner", "organisation": "   "}, "organisation"),
        ({"message": "x" * 1001}, "message"),
    ],
)
def test_a_request_with_bad_input_stores_nothing(session, now, group, kw, field):
    item, _, _, henk = group
    before = stored_state(session, item.id), _requests(session, item)
    with pytest.raises(InvalidInput) as caught:
        request_to_join(session, henk, item.id, now, **kw)
    assert caught.value.field == field
    assert (stored_state(session, item.id), _requests(session, item)) == before


def test_one_pending_request_per_person(session, now, group):
    item, _, _, henk = group
    request_to_join(session, henk, item.id, now)
    before = stored_state(session, item.id), _requests(session, item)
    with pytest.raises(Refused) as caught:
        request_to_join(session, henk, item.id, now + MIN, message="Nog een keer")
    assert "already asked" in translate(caught.value.message, "en")
    assert (stored_state(session, item.id), _requests(session, item)) == before


def test_the_database_holds_one_pending_request_per_person(session, now, group):
    item, _, _, henk = group
    request_to_join(session, henk, item.id, now)
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.add(
                JoinRequest(
                    initiative_id=item.id, person_id=henk.id, role="member", status="pending",
                    created_dt=now,
                )
            )  # fmt: skip
            session.flush()


def test_two_tabs_asking_at_once_one_wins_the_other_is_told(session, now, group, monkeypatch):
    item, _, _, henk = group
    request_to_join(session, henk, item.id, now)
    # the second tab checked before the first one's request was there
    monkeypatch.setattr(module, "pending_request", lambda *args: None)
    before = stored_state(session, item.id), _requests(session, item)
    with pytest.raises(Conflict):
        request_to_join(session, henk, item.id, now)
    assert (stored_state(session, item.id), _requests(session, item)) == before


def test_members_and_staff_do_not_ask(session, now, group):
    item, _, bram, _ = group
    coach = factories.staff(session, now)
    admin = factories.staff(session, now, role="admin")
    before = stored_state(session, item.id), _requests(session, item)
    with pytest.raises(Refused):
        request_to_join(session, bram, item.id, now)
    for someone in (coach, admin):
        with pytest.raises(PermissionDenied) as caught:
            request_to_join(session, someone, item.id, now)
        assert "Staff support initiatives" in translate(caught.value.message, "en")
    assert (stored_state(session, item.id), _requests(session, item)) == before


def test_a_hidden_initiative_cannot_be_asked_to_join(session, now):
    item = factories.initiative(session, now, visibility="members", join_policy="approval")
    outsider = factories.person(session, now)
    with pytest.raises(NotFound):
        request_to_join(session, outsider, item.id, now)
    assert _requests(session, item) == []


# --- declining, withdrawing, asking again --------------------------------------------------------


def test_declined_with_a_reason_and_asking_again(session, now, group):
    item, anna, _, henk = group
    first = request_to_join(session, henk, item.id, now)
    decline_join_request(
        session, anna, item.id, first.id, now + MIN, reason=" We zoeken nu vooral mensen uit "
        "de straat zelf. "
    )  # fmt: skip
    assert (first.status, first.decided_by_id) == ("declined", anna.id)
    assert first.reason == "We zoeken nu vooral mensen uit de straat zelf."
    (declined,) = factories.events_of(session, item.id, "join.declined")
    assert declined.data == {"person": henk.id, "request": first.id}
    assert declined.note == first.reason
    assert _role(session, item, henk) is None
    # a no is not forever
    second = request_to_join(session, henk, item.id, now + 2 * MIN)
    assert second.status == "pending" and second.id != first.id


def test_a_decline_without_a_reason_is_fine_a_too_long_one_is_not(session, now, group):
    item, anna, _, henk = group
    request = request_to_join(session, henk, item.id, now)
    before = stored_state(session, item.id), _requests(session, item)
    with pytest.raises(InvalidInput) as caught:
        decline_join_request(session, anna, item.id, request.id, now, reason="x" * 1001)
    assert caught.value.field == "reason"
    assert (stored_state(session, item.id), _requests(session, item)) == before
    decline_join_request(session, anna, item.id, request.id, now + MIN)
    assert (request.status, request.reason) == ("declined", None)


def test_withdrawing_your_own_request(session, now, group):
    item, _, _, henk = group
    request = request_to_join(session, henk, item.id, now)
    withdraw_join_request(session, henk, item.id, now + MIN)
    assert request.status == "withdrawn"
    (withdrawn,) = factories.events_of(session, item.id, "join.withdrawn")
    assert (withdrawn.actor_id, withdrawn.data) == (henk.id, {"request": request.id})
    before = stored_state(session, item.id)
    with pytest.raises(Refused):
        withdraw_join_request(session, henk, item.id, now + 2 * MIN)
    assert stored_state(session, item.id) == before
    assert request_to_join(session, henk, item.id, now + 3 * MIN).status == "pending"


def test_an_answered_request_is_not_answered_again(session, now, group):
    item, anna, _, henk = group
    request = request_to_join(session, henk, item.id, now)
    withdraw_join_request(session, henk, item.id, now + MIN)
    before = stored_state(session, item.id), _requests(session, item)
    for answer in (approve_join_request, decline_join_request):
        with pytest.raises(Refused):
            answer(session, anna, item.id, request.id, now + 2 * MIN)
    assert (stored_state(session, item.id), _requests(session, item)) == before
    assert _role(session, item, henk) is None


# --- who decides --------------------------------------------------------------------------------


def test_only_initiators_decide(session, now, group):
    item, anna, bram, henk = group
    request = request_to_join(session, henk, item.id, now)
    partner_invite = invite(
        session, anna, item.id, email="terra@example.nl", role="partner", organisation="Terra",
        now=now,
    )  # fmt: skip
    marieke = factories.person(session, now, "Marieke", email="terra@example.nl")
    accept_invitation(session, marieke, partner_invite.token, now)
    coach = factories.staff(session, now)
    admin = factories.staff(session, now, role="admin")
    outsider = factories.person(session, now)
    before = stored_state(session, item.id), _requests(session, item)
    for someone in (bram, marieke, coach, admin, outsider, henk):
        for answer in (approve_join_request, decline_join_request):
            with pytest.raises(PermissionDenied):
                answer(session, someone, item.id, request.id, now + MIN)
    assert (stored_state(session, item.id), _requests(session, item)) == before


def test_a_request_of_another_initiative_is_not_found_here(session, now, group):
    item, anna, _, henk = group
    other = factories.initiative(session, now, title="Speeltuin Selwerd", join_policy="approval")
    theirs = request_to_join(session, henk, other.id, now)
    before = stored_state(session, other.id), _requests(session, other)
    for answer in (approve_join_request, decline_join_request):
        # Anna leads her own initiative, and names the other one's request in her URL
        with pytest.raises(NotFound):
            answer(session, anna, item.id, theirs.id, now + MIN)
        # …or names the other initiative itself, where she is nobody
        with pytest.raises(PermissionDenied):
            answer(session, anna, other.id, theirs.id, now + MIN)
        with pytest.raises(NotFound):
            answer(session, anna, item.id, 987654, now + MIN)
    assert (stored_state(session, other.id), _requests(session, other)) == before
    assert theirs.status == "pending"


def test_someone_who_became_staff_meanwhile_is_not_let_in(session, now, group):
    item, anna, _, henk = group
    request = request_to_join(session, henk, item.id, now)
    henk.role = "coach"
    session.flush()
    before = stored_state(session, item.id), _requests(session, item)
    with pytest.raises(PermissionDenied):
        approve_join_request(session, anna, item.id, request.id, now + MIN)
    assert (stored_state(session, item.id), _requests(session, item)) == before


# --- other ways in settle a request ---------------------------------------------------------------


def test_an_invitation_accepted_settles_a_pending_request(session, now, group):
    item, anna, _, henk = group
    request = request_to_join(session, henk, item.id, now)
    invitation = invite(session, anna, item.id, email=henk.email, role="member", now=now + MIN)
    accept_invitation(session, henk, invitation.token, now + 2 * MIN)
    assert request.status == "approved" and request.decided_by_id is None
    joined = factories.events_of(session, item.id, "joined")[-1]
    assert joined.data == {"role": "member", "invitation": invitation.id, "request": request.id}


def test_a_removed_member_asks_again_even_where_everyone_may_join(session, now):
    item = factories.initiative(session, now, join_policy="open")
    anna = item.memberships[0].person
    bram = factories.person(session, now, "Bram Bakker")
    join_initiative(session, bram, item.id, now)
    remove_member(session, anna, item.id, bram.id, now + MIN, reason="Bleef anderen uitschelden")
    before = stored_state(session, item.id)
    with pytest.raises(Refused) as caught:
        join_initiative(session, bram, item.id, now + 2 * MIN)
    assert "removed" in translate(caught.value.message, "en")
    assert stored_state(session, item.id) == before
    request = request_to_join(session, bram, item.id, now + 3 * MIN, message="Sorry.")
    approve_join_request(session, anna, item.id, request.id, now + 4 * MIN)
    assert _role(session, item, bram) == "member"
    # back in, out by choice: then the open door is open again
    from engine.operations import leave_initiative

    leave_initiative(session, bram, item.id, now + 5 * MIN)
    join_initiative(session, bram, item.id, now + 6 * MIN)
    assert _role(session, item, bram) == "member"
