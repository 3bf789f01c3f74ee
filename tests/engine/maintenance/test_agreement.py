"""The maintenance agreement with the municipality, and the review: renew, end, or send back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.errors import InvalidInput, NotFound, Paused, PermissionDenied, Refused
from engine.maintenance.agreement import (
    REVIEW_TRIGGER,
    active_agreement,
    confirm_agreement,
    may_review,
    review_agreement,
    save_agreement,
    send_back_stages,
)
from engine.maintenance.association import save_association
from engine.models import Occurrence
from engine.operations import (
    cast_vote,
    fire_transition,
    list_moves,
    open_decision,
    pause_initiative,
)
from engine.timeutil import local_date
from tests import factories
from tests.factories import stored_state

DAY = timedelta(days=1)
TODAY = date(2026, 11, 27)


@pytest.fixture
def walked(session, now):
    """Anna (initiator), Bram (treasurer) and Cor (member) hand their quay over to the
    association: the initiative is in its last stage."""
    item = factories.initiative(session, now, members=2)
    anna, bram, cor = (m.person for m in item.memberships)
    save_association(
        session, anna, item.id, name="Vereniging Voermanhaven", contact_person_id=anna.id,
        members={anna.id: "member", bram.id: "treasurer", cor.id: "member"}, now=now,
    )  # fmt: skip
    fire_transition(session, anna, item.id, "start", now)
    for trigger in ("plan", "hand_over"):
        decision = open_decision(session, anna, item.id, trigger, now)
        for person in (anna, bram, cor):
            if decision.status == "open":
                cast_vote(session, person, decision.id, "for", now)
        fire_transition(session, anna, item.id, trigger, now)
    assert item.state == "maintenance"
    return item, anna, bram, cor


def _agree(session, item, actor, now, **kw):
    return save_agreement(
        session, actor, item.id, association_duties="Water geven en onkruid wieden.",
        municipality_duties="Bomen snoeien, bankjes vervangen.", start_date=TODAY, now=now, **kw,
    )  # fmt: skip


def test_an_agreement_runs_a_year_until_its_review(session, now, walked):
    item, anna, *_ = walked
    agreement = _agree(session, item, anna, now)
    assert (agreement.start_date, agreement.review_date) == (TODAY, date(2027, 11, 27))
    assert active_agreement(session, item.id) is agreement
    assert factories.events_of(session, item.id, "agreement.made")


def test_agreement_input_is_checked_and_bad_input_changes_nothing(session, now, walked):
    item, anna, *_ = walked
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput):
        _agree(session, item, anna, now, review_date=TODAY)
    with pytest.raises(InvalidInput):
        save_agreement(
            session, anna, item.id, association_duties=" ", municipality_duties="Snoeien",
            start_date=TODAY, now=now,
        )  # fmt: skip
    assert stored_state(session, item.id) == before
    assert active_agreement(session, item.id) is None


def test_an_agreement_needs_an_association(session, now):
    item = factories.initiative(session, now)
    with pytest.raises(Refused):
        _agree(session, item, item.memberships[0].person, now)


def test_a_coach_confirms_for_the_municipality_and_a_change_asks_again(session, now, walked):
    item, anna, *_ = walked
    agreement = _agree(session, item, anna, now)
    with pytest.raises(PermissionDenied):
        confirm_agreement(session, anna, item.id, now=now)
    coach = factories.staff(session, now)
    confirm_agreement(session, coach, item.id, now=now)
    assert agreement.confirmed_by_id == coach.id
    with pytest.raises(Refused):
        confirm_agreement(session, coach, item.id, now=now)
    _agree(session, item, anna, now)  # the same terms: still confirmed
    assert agreement.confirmed_dt == now
    _agree(session, item, anna, now, review_date=date(2027, 6, 1))
    assert agreement.confirmed_dt is None and agreement.review_date == date(2027, 6, 1)


def test_who_holds_the_review(session, now, walked):
    item, anna, bram, cor = walked
    _agree(session, item, anna, now)
    coach = factories.staff(session, now)
    assert [may_review(session, item, p) for p in (anna, bram, cor, coach, None)] == [
        True, True, False, False, False,
    ]  # fmt: skip
    with pytest.raises(PermissionDenied):
        review_agreement(session, cor, item.id, outcome="renew", now=now)


def test_renewing_sets_the_next_review(session, now, walked):
    item, anna, bram, _ = walked
    agreement = _agree(session, item, anna, now)
    later = now + 370 * DAY  # the review is a few days late
    review_agreement(session, bram, item.id, outcome="renew", now=later)
    assert agreement.review_date == date(2028, 12, 2)
    assert agreement.last_reviewed_on == local_date(later)
    review_agreement(
        session, bram, item.id, outcome="renew", now=later, next_review=date(2029, 6, 1)
    )
    assert agreement.review_date == date(2029, 6, 1)
    with pytest.raises(InvalidInput):
        review_agreement(session, bram, item.id, outcome="renew", now=later, next_review=TODAY)
    with pytest.raises(InvalidInput):
        review_agreement(session, bram, item.id, outcome="extend", now=later)
    assert len(factories.events_of(session, item.id, "agreement.renewed")) == 2


def test_ending_stops_the_tasks_and_needs_a_reason(session, now, walked):
    item, anna, *_ = walked
    agreement = _agree(session, item, anna, now)
    task = factories.recurring_task(session, item, anna, now, rule="FREQ=WEEKLY")
    with pytest.raises(InvalidInput):
        review_agreement(session, anna, item.id, outcome="end", now=now)
    review_agreement(
        session, anna, item.id, outcome="end", now=now + DAY,
        note="De gemeente richt de kade opnieuw in.",
    )  # fmt: skip
    assert (agreement.status, agreement.ended_on) == ("ended", TODAY + DAY)
    assert not task.is_active
    statuses = set(session.scalars(select(Occurrence.status).where(Occurrence.task_id == task.id)))
    assert statuses <= {"cancelled", "planned"} and "cancelled" in statuses
    assert active_agreement(session, item.id) is None
    with pytest.raises(NotFound):
        review_agreement(session, anna, item.id, outcome="renew", now=now)
    _agree(session, item, anna, now + 2 * DAY)  # a new agreement later is fine


def test_sending_back_moves_the_stage_and_records_it(session, now, walked):
    item, anna, bram, _ = walked
    agreement = _agree(session, item, anna, now)
    assert send_back_stages(session, item) == ["proposal", "visioning", "execution"]
    with pytest.raises(InvalidInput):
        review_agreement(
            session, bram, item.id, outcome="send_back", back_to="maintenance", note="x", now=now
        )
    review_agreement(
        session, bram, item.id, outcome="send_back", back_to="execution", now=now + DAY,
        note="De planten zijn op; we planten opnieuw.",
    )  # fmt: skip
    assert item.state == "execution" and item.stage_entered_dt == now + DAY
    assert agreement.status == "active" and agreement.review_date == date(2027, 11, 28)
    event = factories.events_of(session, item.id, "transition")[-1]
    assert (event.from_stage, event.to_stage, event.actor_id) == (
        "maintenance",
        "execution",
        bram.id,
    )
    assert event.data["trigger"] == REVIEW_TRIGGER
    assert event.note == "De planten zijn op; we planten opnieuw."
    # back in execution, the template's own move hands it over again
    assert [m.trigger for m in list_moves(session, anna, item)] == ["rethink", "hand_over"]
    with pytest.raises(Refused):
        review_agreement(
            session, bram, item.id, outcome="send_back", back_to="proposal", note="x", now=now
        )


def test_a_paused_initiative_is_not_sent_back(session, now, walked):
    item, anna, *_ = walked
    _agree(session, item, anna, now)
    pause_initiative(session, anna, item.id, reason="Even rust", now=now)
    with pytest.raises(Paused):
        review_agreement(
            session, anna, item.id, outcome="send_back", back_to="execution", note="x", now=now
        )
    assert item.state == "maintenance"
