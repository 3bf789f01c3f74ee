"""The consultation in the engine: it gates "Wijkvisie vaststellen" from the consultation stage
with a reason in words, closes by itself after its last day, and tells the group of new ideas
(not of replies). The demo's consultation is walked by tests/browser/test_consultation_browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.consultations.moderation import hide_post
from engine.consultations.operations import (
    close_due_consultations,
    open_consultation,
    post_idea,
    reply,
)
from engine.errors import InvalidInput, PermissionDenied, Refused
from engine.guards import GUARDS, GuardContext
from engine.models.notifications import Notification, NotificationEvent
from engine.operations import list_moves
from engine.operations.common import guard_context
from engine.timeutil import local_date
from tests import factories

MIN = timedelta(minutes=1)


@pytest.fixture
def consulting(session, now):
    """A wijkvisie in its consultation stage: three residents, two neighbours outside."""
    item = factories.initiative(session, now, workflow="wijkvisie", members=2)
    people = [m.person for m in item.memberships]
    item.state = "consultation"
    session.flush()
    factories.document(session, item, people[0], now, stage_key="consultation")
    outside = [factories.person(session, now, f"Buur {n}") for n in range(2)]
    return item, people, outside


def _reasons(session, actor, item) -> list[str]:
    move = next(m for m in list_moves(session, actor, item) if m.trigger == "adopt_vision")
    return [r.msgid for r in move.reasons]


def test_adopting_the_vision_waits_for_the_neighbourhood_to_have_its_say(session, now, consulting):
    item, people, outside = consulting
    anna = people[0]
    assert "Ask the neighbourhood first: open the consultation of this stage on its page." in (
        _reasons(session, anna, item)
    )
    found = open_consultation(session, anna, initiative_id=item.id, question="Wat vind je?",
                              ends_on=local_date(now) + timedelta(days=7), now=now)  # fmt: skip
    idea = post_idea(session, outside[0], initiative_id=item.id, consultation_id=found.id,
                     kind="idea", body="Meer groen", now=now + MIN)  # fmt: skip
    context = guard_context(session, item)
    assert (context.consultation_held, context.consultation_reactions) == (True, 1)
    reason = GUARDS["consultation_held"].check(context, 10)
    assert reason.render() == "The consultation needs 9 more reactions: ask neighbours to respond."
    hide_post(session, anna, initiative_id=item.id, post_id=idea.id, reason="Dubbel", now=now)
    assert guard_context(session, item).consultation_reactions == 0  # a hidden one does not count
    for n in range(10):
        post_idea(session, outside[n % 2], initiative_id=item.id, consultation_id=found.id,
                  kind="reaction", body=f"Reactie {n}", now=now + n * MIN)  # fmt: skip
    assert "consultation_held" not in str(_reasons(session, anna, item))
    assert GUARDS["consultation_held"].check(guard_context(session, item), 10) is None


def test_the_guard_says_what_is_missing_in_words():
    check = GUARDS["consultation_held"].check
    assert check(GuardContext(), 1).msgid.startswith("Ask the neighbourhood first")
    one = check(GuardContext(consultation_held=True, consultation_reactions=4), 5)
    assert one.msgid == "The consultation needs one more reaction: ask neighbours to respond."


def test_it_closes_by_itself_after_its_last_day_and_then_takes_nothing(session, now, consulting):
    item, people, outside = consulting
    last = local_date(now) + timedelta(days=2)
    found = open_consultation(session, people[0], initiative_id=item.id, question="Vraag",
                              ends_on=last, now=now)  # fmt: skip
    assert close_due_consultations(session, now + timedelta(days=2)) == []
    assert close_due_consultations(session, now + timedelta(days=4)) == [found.id]
    assert found.status == "closed"
    with pytest.raises(Refused):
        post_idea(session, outside[0], initiative_id=item.id, consultation_id=found.id,
                  kind="idea", body="Te laat", now=now + timedelta(days=4))  # fmt: skip


def test_the_group_hears_of_new_ideas_not_of_replies_and_only_outsiders_post(
    session, now, consulting
):
    item, people, outside = consulting
    found = open_consultation(session, people[0], initiative_id=item.id, question="Vraag",
                              ends_on=local_date(now) + timedelta(days=7), now=now)  # fmt: skip
    with pytest.raises(PermissionDenied):
        post_idea(session, people[1], initiative_id=item.id, consultation_id=found.id,
                  kind="idea", body="Van de groep", now=now)  # fmt: skip
    with pytest.raises(InvalidInput):
        post_idea(session, outside[0], initiative_id=item.id, consultation_id=found.id,
                  kind="vote", body="x", now=now)  # fmt: skip
    idea = post_idea(session, outside[0], initiative_id=item.id, consultation_id=found.id,
                     kind="idea", body="Bankjes", now=now)  # fmt: skip
    reply(session, outside[1], initiative_id=item.id, parent_id=idea.id, body="Ja!", now=now)
    told = set(session.scalars(
        select(Notification.person_id)
        .join(NotificationEvent, NotificationEvent.id == Notification.event_id)
        .where(NotificationEvent.kind == "idea_posted")
    ))  # fmt: skip
    assert told == {p.id for p in people}
