"""What a move writes besides the stage: its decision used up and others stopped, and the
group told with the right words, from what the move has read already."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.models import Decision
from engine.models.notifications import NotificationEvent
from engine.operations import cast_vote, fire_transition, insert_stage, open_decision
from tests import factories
from tests.engine.reminders.test_replan import statements

MIN = timedelta(minutes=1)


def _people(item):
    return [m.person for m in item.memberships]


def _told_of_moves(session, item_id: int) -> list[dict]:
    query = (
        select(NotificationEvent.data)
        .where(NotificationEvent.initiative_id == item_id, NotificationEvent.kind == "stage_moved")
        .order_by(NotificationEvent.id)
    )
    return list(session.scalars(query))


def test_a_move_uses_its_decision_and_stops_the_others_of_the_stage_it_leaves(session, now):
    item = factories.initiative(session, now, members=1)
    anna, bram = _people(item)
    fire_transition(session, anna, item.id, "start", now)
    decision = open_decision(session, anna, item.id, "plan", now + MIN)
    for p in (anna, bram):
        cast_vote(session, p, decision.id, "for", now + 2 * MIN)
    # arranged: a second live decision about the stage being left (another way out)
    other = Decision(initiative_id=item.id, trigger="elsewhere", stage_key="visioning",
                     rule="majority", status="open", opened_by_id=bram.id,
                     opened_dt=now + 2 * MIN)  # fmt: skip
    session.add(other)
    session.flush()
    assert (decision.status, other.status) == ("approved", "open")  # loaded before the move
    moved_at = now + 3 * MIN
    with statements(session) as seen:
        fire_transition(session, anna, item.id, "plan", moved_at)
    # the loaded copies are read again: the one used, the other stopped when the move was made
    assert decision.status == "used"
    assert (other.status, other.closed_dt) == ("cancelled", moved_at)
    # both in one statement
    assert len([s for s, _ in seen if s.lstrip().startswith("UPDATE decisions")]) == 1


def test_the_group_hears_the_entered_stage_by_its_own_title_or_the_templates(session, now):
    item = factories.initiative(session, now, members=1, title="Bankjes op de kade")
    anna, _bram = _people(item)
    insert_stage(session, anna, item.id, after="proposal", title="Buurt raadplegen",
                 description="Eerst de buren", now=now)  # fmt: skip
    fire_transition(session, anna, item.id, "enter_own_1", now + MIN)
    (own,) = _told_of_moves(session, item.id)
    assert own == {
        "stage": {"nl": "Buurt raadplegen", "en": "Buurt raadplegen"},
        "initiative": "Bankjes op de kade",
        "language": "nl",
        "actor": anna.name,
    }
    # a template stage: the template's title, in every language
    other = factories.initiative(session, now, members=1, title="Tuin", language="en")
    fire_transition(session, _people(other)[0], other.id, "start", now + MIN)
    (template,) = _told_of_moves(session, other.id)
    assert template["stage"] == {"nl": "Visievorming", "en": "Visioning"}
    assert (template["initiative"], template["language"]) == ("Tuin", "en")
