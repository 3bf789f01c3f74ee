"""Support requests from the group's and the coach's side: file, answer, deliver, withdraw."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.coach.queries import request_history
from engine.errors import Blocked, Conflict, InvalidInput, PermissionDenied, Refused
from engine.models import Initiative, SupportRequest
from engine.operations import (
    accept_support_request,
    acknowledge_support_request,
    assign_support_request,
    decline_support_request,
    deliver_support_request,
    file_support_request,
    fire_transition,
    list_moves,
    withdraw_support_request,
)
from engine.wording import support_event as describe_event
from tests import factories

HOUR = timedelta(hours=1)


@contextmanager
def says(error_type, fragment: str):
    """Expect a refusal whose (English) message contains ``fragment``."""
    with pytest.raises(error_type) as refused:
        yield
    assert fragment in refused.value.message.render()


@pytest.fixture
def group(session, now):
    item = factories.initiative(session, now, members=1)
    anna, bram = (m.person for m in item.memberships)
    return item, anna, bram


@pytest.fixture
def coach(session, now):
    return factories.staff(session, now, name="Sanne Visser")


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(SupportRequest))


def test_a_member_files_a_request_answered_within_ten_working_days(session, now, group):
    item, anna, bram = group
    version = item.version
    row = factories.filed_request(session, item, bram, now, stage_key="proposal")
    # the tests' clock is Friday 27 November 2026: ten working days on is Friday 11 December
    assert row.respond_by_date == date(2026, 12, 11)
    assert (row.status, row.stage_key, row.requested_by_id) == ("submitted", "proposal", bram.id)
    (event,) = factories.events_of(session, item.id, "support.filed")
    assert event.actor_id == bram.id and event.note == row.description
    assert event.data["request"] == row.id and event.data["respond_by"] == "2026-12-11"
    session.refresh(item)
    # the group was active (not stalled), and nobody's page of the initiative went stale
    assert item.version == version and item.last_activity_dt == now


def test_the_number_of_working_days_is_configurable(session, now, group):
    item, anna, _ = group
    row = factories.filed_request(session, item, anna, now, respond_days=3)
    assert row.respond_by_date == date(2026, 12, 2)  # Mon 30, Tue 1, Wed 2


@pytest.mark.parametrize("who", ["outsider", "coach"])
def test_only_members_of_the_initiative_file_requests(session, now, group, coach, who):
    item, _, _ = group
    actor = coach if who == "coach" else factories.person(session, now, "Kees Buitenstaander")
    before = factories.event_count(session, item.id)
    with pytest.raises(PermissionDenied):
        factories.filed_request(session, item, actor, now)
    assert _count(session) == 0 and factories.event_count(session, item.id) == before


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"kind": "teleportation"}, "kind of support"),
        ({"description": "Help"}, "between 10 and 5,000"),
        ({"description": "   "}, "Describe what the group asks"),
        ({"stage_key": "nowhere"}, "stage of this initiative"),
    ],
)
def test_unclear_requests_are_refused_with_a_reason(session, now, group, kwargs, fragment):
    item, anna, _ = group
    values = {"kind": "advice", "description": "Graag advies van een stedenbouwkundige."}
    values.update(kwargs)
    with pytest.raises(InvalidInput) as refused:
        file_support_request(session, anna, item.id, now=now, **values)
    assert fragment in str(refused.value.message.render())
    assert _count(session) == 0


def test_acknowledge_accept_deliver_each_visible_to_the_group(session, now, group, coach):
    item, anna, _ = group
    row = factories.filed_request(session, item, anna, now)
    session.refresh(item)
    version, last_activity = item.version, item.last_activity_dt

    acknowledge_support_request(session, coach, row.id, now=now + HOUR, note="We kijken ernaar.")
    accept_support_request(
        session, coach, row.id, now=now + 2 * HOUR, note="De wijkploeg komt in week 50."
    )
    assert (row.status, row.answer, row.answered_dt) == (
        "accepted", "De wijkploeg komt in week 50.", now + 2 * HOUR,
    )  # fmt: skip
    deliver_support_request(
        session, coach, row.id, now=now + 3 * HOUR, note="Het asfalt is weggehaald."
    )
    assert (row.status, row.delivered_note) == ("delivered", "Het asfalt is weggehaald.")
    assert row.answered_dt == now + 2 * HOUR  # answering counts once, for "on time"

    history = request_history(session, row)
    assert [(e.kind, e.note) for e in history] == [
        ("support.filed", row.description),
        ("support.acknowledged", "We kijken ernaar."),
        ("support.accepted", "De wijkploeg komt in week 50."),
        ("support.delivered", "Het asfalt is weggehaald."),
    ]
    assert [e.actor_id for e in history] == [anna.id, coach.id, coach.id, coach.id]
    assert describe_event(history[2].kind, history[2].data).render() == (
        "The municipality accepted the request"
    )
    # a coach's answer is not a change to the group's process: its open pages stay valid and
    # its own (in)activity stays visible to the caseload
    session.refresh(item)
    assert (item.version, item.last_activity_dt) == (version, last_activity)


def test_decline_needs_a_reason_and_the_group_reads_it(session, now, group, coach):
    item, anna, _ = group
    row = factories.filed_request(session, item, anna, now)
    with says(InvalidInput, "why the municipality declines"):
        decline_support_request(session, coach, row.id, reason="  ", now=now + HOUR)
    assert row.status == "submitted"
    decline_support_request(
        session, coach, row.id, reason="Dit valt buiten het budget van dit jaar.", now=now + HOUR
    )
    assert (row.status, row.answer) == ("declined", "Dit valt buiten het budget van dit jaar.")
    (event,) = factories.events_of(session, item.id, "support.declined")
    assert event.note == "Dit valt buiten het budget van dit jaar." and event.data["old"] == (
        "submitted"
    )


@pytest.mark.parametrize(
    "answer",
    [
        lambda s, a, r, t: acknowledge_support_request(s, a, r, now=t),
        lambda s, a, r, t: accept_support_request(s, a, r, now=t),
        lambda s, a, r, t: decline_support_request(s, a, r, reason="Nee.", now=t),
        lambda s, a, r, t: assign_support_request(s, a, r, coach_id=a.id, now=t),
    ],
)
def test_only_staff_answer_requests(session, now, group, answer):
    item, anna, bram = group
    row = factories.filed_request(session, item, anna, now)
    with pytest.raises(PermissionDenied):
        answer(session, bram, row.id, now + HOUR)
    assert row.status == "submitted" and row.assigned_to_id is None


def test_answers_in_the_wrong_order_are_refused(session, now, group, coach):
    item, anna, _ = group
    row = factories.filed_request(session, item, anna, now)
    with says(Refused, "accepted request"):
        deliver_support_request(session, coach, row.id, note="Gedaan.", now=now)
    accept_support_request(session, coach, row.id, now=now)
    with says(Refused, "newly filed"):
        acknowledge_support_request(session, coach, row.id, now=now)
    deliver_support_request(session, coach, row.id, note="Gedaan.", now=now)
    with says(Refused, "closed"):
        decline_support_request(session, coach, row.id, reason="Toch niet.", now=now)


def test_a_coach_assigns_a_request_to_a_colleague(session, now, group, coach):
    item, anna, bram = group
    colleague = factories.staff(session, now, name="Pieter de Groot")
    row = factories.filed_request(session, item, anna, now)
    assign_support_request(session, coach, row.id, coach_id=colleague.id, now=now)
    assert row.assigned_to_id == colleague.id
    (event,) = factories.events_of(session, item.id, "support.assigned")
    assert describe_event(event.kind, event.data).render() == "Assigned to Pieter de Groot"
    with says(InvalidInput, "process coach"):
        assign_support_request(session, coach, row.id, coach_id=bram.id, now=now)
    assign_support_request(session, coach, row.id, coach_id=None, now=now)
    assert row.assigned_to_id is None


def test_the_group_withdraws_an_open_request(session, now, group, coach):
    item, anna, bram = group
    row = factories.filed_request(session, item, anna, now)
    with pytest.raises(PermissionDenied):
        withdraw_support_request(session, coach, row.id, now=now)
    withdraw_support_request(session, bram, row.id, now=now + HOUR, reason="Zelf opgelost.")
    assert (row.status, row.withdraw_reason) == ("withdrawn", "Zelf opgelost.")
    with pytest.raises(Refused):
        accept_support_request(session, coach, row.id, now=now + 2 * HOUR)


def test_an_answer_from_a_stale_page_is_refused(session, now, group, coach):
    item, anna, _ = group
    row = factories.filed_request(session, item, anna, now)
    seen = row.version
    acknowledge_support_request(session, coach, row.id, now=now, expected_version=seen)
    with pytest.raises(Conflict):
        decline_support_request(
            session, coach, row.id, reason="Nee.", now=now, expected_version=seen
        )
    assert row.status == "acknowledged"


def _support_reasons(session, person, item, trigger):
    (move,) = [m for m in list_moves(session, person, item) if m.trigger == trigger]
    return [r.render() for r in move.reasons if "support request" in r.msgid]


def test_an_accepted_request_is_answered(session, now, coach):
    """Wijkvisie: "Aan de slag met de eerste projecten" waits for answers, not for delivery."""
    item = factories.initiative(session, now, workflow="wijkvisie", members=1)
    anna = item.memberships[0].person
    item.state = "municipal_support"  # arranged: the vision is adopted
    session.flush()
    row = factories.filed_request(session, item, anna, now)
    assert _support_reasons(session, anna, item, "start_execution") == [
        "One support request is still waiting for the municipality's answer."
    ]
    acknowledge_support_request(session, coach, row.id, now=now + HOUR)
    assert len(_support_reasons(session, anna, item, "start_execution")) == 1
    accept_support_request(session, coach, row.id, now=now + 2 * HOUR, note="Doen we.")
    assert _support_reasons(session, anna, item, "start_execution") == []


def test_delivery_is_a_fact_of_its_own(session, now, coach):
    """Vergroening: residents plant only once the municipality delivered what it accepted."""
    item = factories.initiative(session, now, workflow="vergroening", members=1)
    anna = item.memberships[0].person
    item.state = "municipal_support"  # arranged: the design is with the municipality
    session.flush()
    asphalt, soil = (factories.filed_request(session, item, anna, now) for _ in range(2))

    with pytest.raises(Blocked) as blocked:
        fire_transition(session, anna, item.id, "start_planting", now + HOUR)
    assert [r.render() for r in blocked.value.reasons] == [
        "2 support requests are still waiting for the municipality's answer."
    ]
    for row in (asphalt, soil):
        accept_support_request(session, coach, row.id, now=now + HOUR)
    assert _support_reasons(session, anna, item, "start_planting") == [
        "The municipality accepted 2 support requests and has not delivered them yet."
    ]
    deliver_support_request(session, coach, asphalt.id, note="Asfalt weg.", now=now + 2 * HOUR)
    assert _support_reasons(session, anna, item, "start_planting") == [
        "The municipality accepted one support request and has not delivered it yet."
    ]
    deliver_support_request(session, coach, soil.id, note="Grond ligt er.", now=now + 2 * HOUR)
    fired = fire_transition(session, anna, item.id, "start_planting", now + 3 * HOUR)
    assert fired.to_stage == "execution"
    assert session.get(Initiative, item.id).state == "execution"


def test_a_declined_request_no_longer_blocks(session, now, coach):
    item = factories.initiative(session, now, workflow="vergroening", members=1)
    anna = item.memberships[0].person
    item.state = "municipal_support"
    session.flush()
    row = factories.filed_request(session, item, anna, now)
    decline_support_request(session, coach, row.id, reason="Kan niet.", now=now + HOUR)
    assert fire_transition(session, anna, item.id, "start_planting", now + 2 * HOUR).to_stage == (
        "execution"
    )
