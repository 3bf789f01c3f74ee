"""The residents' association: registering it, the KvK number, and the guard that reads it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import InvalidInput, PermissionDenied, Refused
from engine.guards import GUARDS, GuardContext
from engine.maintenance.association import clean_kvk, members_of, save_association
from engine.maintenance.rota import active_volunteers
from engine.models import Association
from engine.operations import list_moves
from engine.operations.common import guard_context
from tests import factories
from tests.factories import stored_state


def _group(session, now, members=2):
    item = factories.initiative(session, now, members=members)
    return item, [m.person for m in item.memberships]


def _guard_reason(session, item):
    return GUARDS["association_registered"].check(guard_context(session, item))


# --- the guard explains what is missing ----------------------------------------------------


def test_without_an_association_the_guard_asks_to_register_one(session, now):
    item, _ = _group(session, now)
    reason = _guard_reason(session, item)
    assert reason.msgid.startswith("Register the residents' association")


def test_the_guard_names_each_missing_piece(session, now):
    item, (anna, bram, cor) = _group(session, now)
    save_association(session, anna, item.id, name="Vereniging Voermanhaven", now=now)
    context = guard_context(session, item)
    assert (context.association_exists, context.association_named) == (True, True)
    assert (context.association_contact, context.association_board) == (False, 0)
    assert context.association_members == 0
    text = _guard_reason(session, item).render()
    assert "a contact person / a board member / 2 more members" in text

    save_association(
        session, anna, item.id, name="Vereniging Voermanhaven", contact_person_id=anna.id,
        members={anna.id: "member"}, now=now,
    )  # fmt: skip
    text = _guard_reason(session, item).render()
    assert "a contact person" not in text
    assert "a board member / one more member" in text

    save_association(
        session, anna, item.id, name="Vereniging Voermanhaven", contact_person_id=anna.id,
        members={anna.id: "chair", bram.id: "member"}, now=now,
    )  # fmt: skip
    assert _guard_reason(session, item) is None
    assert guard_context(session, item).association_registered


def test_a_nameless_association_is_reported_by_the_guard():
    context = GuardContext(
        association_exists=True, association_contact=True, association_board=1,
        association_members=3,
    )  # fmt: skip
    reason = GUARDS["association_registered"].check(context)
    assert "its name" in reason.render()


def test_the_hand_over_move_lists_the_association_reason(session, now):
    item, (anna, bram, cor) = _group(session, now)
    save_association(session, anna, item.id, name="Vereniging", now=now)
    facts_reasons = [r.render() for r in _reasons_of_hand_over(session, anna, item)]
    assert any("still needs" in r for r in facts_reasons)


def _reasons_of_hand_over(session, actor, item):
    # walk to execution the quick way: the test template's guards hold after two moves
    from engine.operations import cast_vote, fire_transition, open_decision

    fire_transition(session, actor, item.id, "start", item.created_dt)
    decision = open_decision(session, actor, item.id, "plan", item.created_dt)
    for m in item.memberships:
        cast_vote(session, m.person, decision.id, "for", item.created_dt)
    fire_transition(session, actor, item.id, "plan", item.created_dt)
    return next(m for m in list_moves(session, actor, item) if m.trigger == "hand_over").reasons


# --- registering ---------------------------------------------------------------------------


def test_register_with_board_members_and_kvk(session, now):
    item, (anna, bram, cor) = _group(session, now)
    association = save_association(
        session, anna, item.id, name="  Bewonersvereniging   Voermanhaven ",
        kvk_number="4101 2345", contact_person_id=bram.id,
        members={anna.id: "chair", bram.id: "secretary", cor.id: "member"}, now=now,
    )  # fmt: skip
    assert association.name == "Bewonersvereniging Voermanhaven"
    assert association.kvk_number == "41012345"
    assert association.registered_dt == now
    roles = [(m.person.name, m.board_role) for m in members_of(session, association.id)]
    assert roles == [(anna.name, "chair"), (bram.name, "secretary"), (cor.name, None)]
    (event,) = factories.events_of(session, item.id, "association.registered")
    assert event.data["board"] == 2 and event.data["members"] == 3


@pytest.mark.parametrize("kvk", ["1234567", "123456789", "4101234a", "41-012345", "KVK41012345"])
def test_a_kvk_number_of_the_wrong_shape_is_refused(session, now, kvk):
    item, (anna, *_) = _group(session, now)
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput) as caught:
        save_association(session, anna, item.id, name="Vereniging", kvk_number=kvk, now=now)
    assert "8 digits" in caught.value.message.render()
    assert stored_state(session, item.id) == before
    assert (
        session.scalar(select(Association.id).where(Association.initiative_id == item.id)) is None
    )


def test_kvk_is_optional_and_cleaned():
    assert clean_kvk(None) is None
    assert clean_kvk("  ") is None
    assert clean_kvk("41.01.23.45") == "41012345"


def test_only_members_of_the_initiative_join_and_the_contact_is_one_of_them(session, now):
    item, (anna, bram, _) = _group(session, now)
    stranger = factories.person(session, now, "Iemand van elders")
    coach = factories.staff(session, now)
    for members, contact in (
        ({anna.id: "member", stranger.id: "member"}, None),
        ({anna.id: "member", coach.id: "member"}, None),
        ({anna.id: "member"}, bram.id),
        ({anna.id: "president"}, None),
    ):
        with pytest.raises(InvalidInput):
            save_association(
                session, anna, item.id, name="Vereniging", members=members,
                contact_person_id=contact, now=now,
            )  # fmt: skip
    with pytest.raises(InvalidInput):
        save_association(session, anna, item.id, name=" x ", now=now)


def test_only_the_group_registers_its_association(session, now):
    item, _ = _group(session, now)
    for outsider in (factories.person(session, now), factories.staff(session, now)):
        with pytest.raises(PermissionDenied):
            save_association(session, outsider, item.id, name="Vereniging", now=now)


def test_leaving_the_association_means_leaving_its_rotas(session, now):
    item, (anna, bram, cor) = _group(session, now)
    factories.complete_association(session, item, now)
    task = factories.recurring_task(session, item, anna, now, volunteers=[bram.id, cor.id])
    save_association(
        session, anna, item.id, name="Vereniging", contact_person_id=anna.id,
        members={anna.id: "chair", bram.id: "member"}, now=now,
    )  # fmt: skip
    assert [v.person_id for v in active_volunteers(session, task.id)] == [bram.id]
    with pytest.raises(Refused) as caught:
        save_association(
            session, anna, item.id, name="Vereniging", contact_person_id=anna.id,
            members={anna.id: "chair"}, now=now,
        )  # fmt: skip
    assert caught.value.message.msgid.startswith("Nobody would be left")
