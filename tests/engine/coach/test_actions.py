"""Coaches support, they never steer: notes and concerns open to the group, assignments, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.coach.queries import assignments_of, notes_and_concern
from engine.errors import InvalidInput, PermissionDenied, Refused
from engine.models import CoachAssignment, Person
from engine.operations import (
    add_coach_note,
    add_step,
    assign_coach,
    change_role,
    clear_concern,
    fire_transition,
    raise_concern,
    unassign_coach,
)
from tests import factories

HOUR = timedelta(hours=1)


@pytest.fixture
def scene(session, now):
    item = factories.initiative(session, now, members=1)
    return item, item.memberships[0].person, factories.staff(session, now, name="Sanne Visser")


def test_a_coach_cannot_move_a_residents_process_or_edit_its_plan(session, now, scene):
    item, anna, coach = scene
    factories.initiative(session, now)  # another group, so nothing is special about this one
    before = factories.stored_state(session, item.id)
    with pytest.raises(PermissionDenied):
        fire_transition(session, coach, item.id, "start", now + HOUR)
    with pytest.raises(PermissionDenied):
        add_step(session, coach, item.id, stage_key="proposal", title="Doe dit", now=now)
    assert factories.stored_state(session, item.id) == before


def test_a_note_is_kept_and_lands_in_the_history_without_changing_the_process(session, now, scene):
    item, anna, coach = scene
    session.refresh(item)
    version, activity = item.version, item.last_activity_dt
    note = add_coach_note(
        session, coach, item.id, body="Mooi plan! Bel gerust over de vergunning.", now=now + HOUR
    )
    assert [n.id for n in notes_and_concern(session, item.id)[0]] == [note.id]
    (event,) = factories.events_of(session, item.id, "coach.note")
    assert (event.actor_id, event.note) == (coach.id, "Mooi plan! Bel gerust over de vergunning.")
    session.refresh(item)
    assert (item.version, item.last_activity_dt) == (version, activity)


def test_residents_do_not_write_coach_notes_and_empty_notes_are_refused(session, now, scene):
    item, anna, coach = scene
    with pytest.raises(PermissionDenied):
        add_coach_note(session, anna, item.id, body="Ik ben geen coach.", now=now)
    with pytest.raises(InvalidInput):
        add_coach_note(session, coach, item.id, body="  ", now=now)
    assert notes_and_concern(session, item.id)[0] == []


def test_one_concern_at_a_time_raised_and_cleared_with_reasons(session, now, scene):
    item, anna, coach = scene
    colleague = factories.staff(session, now)
    raise_concern(session, coach, item.id, reason="Al weken geen reactie op mails.", now=now)
    with pytest.raises(Refused):
        raise_concern(session, colleague, item.id, reason="Ook zorgen.", now=now + HOUR)
    live = notes_and_concern(session, item.id)[1]
    assert (live.reason, live.raised_by.name) == ("Al weken geen reactie op mails.", "Sanne Visser")
    clear_concern(session, colleague, item.id, note="Gebeld: ze pakken het weer op.", now=now)
    assert notes_and_concern(session, item.id)[1] is None
    with pytest.raises(Refused):
        clear_concern(session, colleague, item.id, now=now)
    raise_concern(session, colleague, item.id, reason="Weer stil.", now=now + 2 * HOUR)
    kinds = [e.kind for e in factories.events_of(session, item.id) if e.kind.startswith("coach.")]
    assert kinds == ["coach.concern", "coach.concern_cleared", "coach.concern"]
    with pytest.raises(PermissionDenied):
        clear_concern(session, anna, item.id, now=now)


def test_notes_newest_first_come_with_the_open_concern(session, now, scene):
    item, anna, coach = scene
    assert notes_and_concern(session, item.id) == ([], None)
    raise_concern(session, coach, item.id, reason="Stil.", now=now)
    notes, concern = notes_and_concern(session, item.id)
    assert notes == [] and concern.reason == "Stil."  # a concern without notes
    written = [
        add_coach_note(session, coach, item.id, body=f"Notitie {n}", now=now + n * HOUR)
        for n in range(3)
    ]
    notes, concern = notes_and_concern(session, item.id)
    assert [n.body for n in notes] == ["Notitie 2", "Notitie 1", "Notitie 0"]
    assert concern.reason == "Stil." and concern.raised_by.name == "Sanne Visser"
    assert all(n.author.name == "Sanne Visser" for n in notes)
    notes, _ = notes_and_concern(session, item.id, limit=2)
    assert [n.id for n in notes] == [written[2].id, written[1].id]
    clear_concern(session, coach, item.id, note="Opgelost.", now=now + 4 * HOUR)
    notes, concern = notes_and_concern(session, item.id)
    assert len(notes) == 3 and concern is None  # notes without a concern


def test_coaches_are_assigned_to_initiatives_and_whole_districts(session, now, scene):
    item, anna, coach = scene
    colleague = factories.staff(session, now, name="Pieter de Groot")
    west = item.neighbourhood.district_id
    by_district = assign_coach(session, coach, coach_id=coach.id, district_id=west, now=now)
    direct = assign_coach(session, coach, coach_id=colleague.id, initiative_id=item.id, now=now)
    names = sorted(a.coach.name for a in assignments_of(session, item))
    assert names == ["Pieter de Groot", "Sanne Visser"]
    assert factories.event_count(session, item.id, "coach.assigned") == 1
    with pytest.raises(Refused):
        assign_coach(session, coach, coach_id=coach.id, district_id=west, now=now)
    with pytest.raises(InvalidInput):
        assign_coach(session, coach, coach_id=anna.id, initiative_id=item.id, now=now)
    with pytest.raises(InvalidInput):
        assign_coach(session, coach, coach_id=coach.id, now=now)
    with pytest.raises(PermissionDenied):
        assign_coach(session, anna, coach_id=coach.id, initiative_id=item.id, now=now)
    unassign_coach(session, coach, direct.id, now)
    assert [a.id for a in assignments_of(session, item)] == [by_district.id]


def test_an_admin_changes_roles_but_not_their_own(session, now, scene):
    item, anna, coach = scene
    admin = factories.staff(session, now, role="admin")
    newcomer = factories.person(session, now, "Joost Bakker")
    change_role(session, admin, newcomer.id, "coach", now)
    assert session.get(Person, newcomer.id).role == "coach"
    with pytest.raises(Refused):
        change_role(session, admin, admin.id, "resident", now)
    with pytest.raises(PermissionDenied):
        change_role(session, coach, newcomer.id, "admin", now)
    with pytest.raises(InvalidInput):
        change_role(session, admin, newcomer.id, "mayor", now)


def test_a_member_of_a_group_is_not_made_staff_and_a_demoted_coach_loses_assignments(
    session, now, scene
):
    item, anna, coach = scene
    admin = factories.staff(session, now, role="admin")
    with pytest.raises(Refused) as refused:
        change_role(session, admin, anna.id, "coach", now)
    assert "is a member of an initiative" in refused.value.message.render()
    assign_coach(session, coach, coach_id=coach.id, initiative_id=item.id, now=now)
    change_role(session, admin, coach.id, "resident", now)
    left = session.scalar(select(func.count()).where(CoachAssignment.coach_id == coach.id))
    assert left == 0
