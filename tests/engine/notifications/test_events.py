"""Who is told what: per event kind, the right people, never the actor, a paused group only
about the pause, and mail by each reader's preference."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select

from engine.coach.actions import assign_coach, clear_concern, raise_concern
from engine.models import District, Neighbourhood, OutboxMessage
from engine.models.notifications import Notification, NotificationEvent
from engine.notifications.digests import (
    CLOSING_PROBE,
    announce_closing,
    closing_binds,
    send_digests,
)
from engine.notifications.fanout import notify
from engine.notifications.queries import mark_all_read, mark_read, unread_count
from engine.notifications.recipients import group
from engine.operations import (
    accept_support_request,
    approve_join_request,
    cast_vote,
    decline_support_request,
    fire_transition,
    leave_initiative,
    open_decision,
    pause_initiative,
    request_to_join,
    resume_initiative,
    update_step,
)
from engine.operations.plan import add_step
from engine.reminders.preferences import set_preferences
from tests import factories
from tests.factories.initiatives import bring_in

MIN = timedelta(minutes=1)


def told(session, kind: str) -> set[int]:
    return set(
        session.scalars(
            select(Notification.person_id)
            .join(NotificationEvent, NotificationEvent.id == Notification.event_id)
            .where(NotificationEvent.kind == kind)
        )
    )


def mailed_to(session) -> list[str]:
    return sorted(session.scalars(select(OutboxMessage.to_addr)))


def _visioning(session, now, members=2):
    item = factories.initiative(session, now, members=members)
    people = [m.person for m in item.memberships]
    fire_transition(session, people[0], item.id, "start", now)
    return item, people


def test_a_decision_opened_is_told_to_its_electorate_but_not_to_who_opened_it(session, now):
    item, (anna, bram, cor) = _visioning(session, now)
    decision = open_decision(session, anna, item.id, "plan", now + MIN)
    assert told(session, "decision_opened") == {bram.id, cor.id}
    late = factories.person(session, now, "Laat")
    bring_in(session, item, anna, late, now + 2 * MIN)
    assert late.id not in told(session, "decision_opened")  # not in the electorate
    for p in (anna, bram, cor):
        cast_vote(session, p, decision.id, "for", now + 3 * MIN)
    # the last vote settled it: everyone of the electorate but the sweep's "actor" (none)
    assert told(session, "decision_approved") == {anna.id, bram.id, cor.id}


def test_a_decision_at_once_is_mailed_at_once_and_off_is_not_mailed(session, now):
    item, (anna, bram, cor) = _visioning(session, now)
    set_preferences(session, cor, modes={"decisions": "off"}, now=now)
    session.query(OutboxMessage).delete()
    open_decision(session, anna, item.id, "plan", now + MIN)
    assert mailed_to(session) == [bram.email]
    # off: still on the page, not in the mail
    assert cor.id in told(session, "decision_opened")


def test_closing_soon_reaches_only_who_has_not_voted_once(session, now):
    item, (anna, bram, cor) = _visioning(session, now)
    decision = open_decision(session, anna, item.id, "plan", now)
    cast_vote(session, bram, decision.id, "for", now + MIN)
    assert decision.closes_dt is not None
    almost = decision.closes_dt - timedelta(hours=47)
    assert announce_closing(session, almost) == "1 decisions closing soon"
    assert told(session, "decision_closing") == {anna.id, cor.id}
    assert announce_closing(session, almost + MIN) == "0 decisions closing soon"


def test_the_sweep_asks_about_closing_decisions_with_one_statement_built_once(session, now):
    """The probe the sweep asks is the same expression at every moment (a cached statement);
    only its bound moments change."""
    item, (anna, _bram, _cor) = _visioning(session, now)
    decision = open_decision(session, anna, item.id, "plan", now)
    assert decision.closes_dt is not None

    def due(at) -> bool:
        return bool(session.scalar(select(CLOSING_PROBE), {"now": at, **closing_binds(at)}))

    almost = decision.closes_dt - timedelta(hours=47)
    assert not due(decision.closes_dt - timedelta(days=30))  # not within the notice yet
    assert due(almost)
    announce_closing(session, almost)
    assert not due(almost + MIN)  # announced once


def test_a_paused_group_hears_only_of_the_pause(session, now):
    item, (anna, bram, cor) = _visioning(session, now)
    pause_initiative(session, anna, item.id, reason="Vakantie", now=now + MIN)
    assert told(session, "initiative_paused") == {bram.id, cor.id}
    before = session.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1))
    notify(session, kind="stage_moved", initiative_id=item.id, actor_id=None,
           recipients=group(item.id), link="/", now=now + 2 * MIN, data={"stage": "x"})  # fmt: skip
    after = session.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1))
    assert after == before
    resume_initiative(session, anna, item.id, now=now + 3 * MIN)
    assert told(session, "initiative_resumed") == {bram.id, cor.id}


def test_join_request_goes_to_initiators_and_the_answer_to_the_asker(session, now):
    item = factories.initiative(session, now, join_policy="approval", members=0)
    anna = item.memberships[0].person
    dewi = factories.person(session, now, "Dewi")
    request = request_to_join(session, dewi, item.id, now)
    assert told(session, "join_requested") == {anna.id}
    approve_join_request(session, anna, item.id, request.id, now + MIN)
    assert told(session, "join_approved") == {dewi.id}
    # the group hears who joined; not the newcomer, not the initiator who let her in
    assert told(session, "member_joined") == set()
    leave_initiative(session, dewi, item.id, now + 2 * MIN)
    assert told(session, "member_left") == {anna.id}


def _coach_in_west(session, now):
    coach = factories.staff(session, now, name="Sanne")
    west = session.scalar(
        select(District.id).join(Neighbourhood).where(Neighbourhood.name == "Paddepoel")
    )
    assign_coach(session, coach, coach_id=coach.id, district_id=west, now=now)
    return coach


def test_a_support_request_reaches_the_area_coach_at_once(session, now):
    coach = _coach_in_west(session, now)
    item, (anna, bram, _cor) = _visioning(session, now)
    session.query(OutboxMessage).delete()
    request = factories.filed_request(session, item, bram, now)
    assert told(session, "support_filed") == {coach.id}
    assert mailed_to(session) == [coach.email]
    accept_support_request(session, coach, request.id, now=now + MIN, note="Komt goed.")
    assert told(session, "support_accepted") == {m.person_id for m in item.memberships}


def test_a_request_in_an_area_without_a_coach_goes_to_the_admins(session, now):
    admin = factories.staff(session, now, role="admin")
    item, (anna, *_rest) = _visioning(session, now)
    request = factories.filed_request(session, item, anna, now)
    assert told(session, "support_filed_unassigned") == {admin.id}
    decline_support_request(session, admin, request.id, now=now + MIN, reason="Geen budget.")
    assert anna.id in told(session, "support_declined")


def test_concerns_reach_the_initiators(session, now):
    coach = factories.staff(session, now)
    item, (anna, bram, _cor) = _visioning(session, now)
    raise_concern(session, coach, item.id, reason="Het is stil.", now=now)
    assert told(session, "concern_raised") == {anna.id}
    clear_concern(session, coach, item.id, now=now + MIN)
    assert told(session, "concern_cleared") == {anna.id}


def test_a_step_assigned_to_you_but_not_to_yourself(session, now):
    item, (anna, bram, _cor) = _visioning(session, now)
    step = add_step(session, anna, item.id, stage_key="visioning", title="Flyers", now=now,
                    owner_id=bram.id)  # fmt: skip
    assert told(session, "step_assigned") == {bram.id}
    update_step(session, bram, item.id, step.id, title="Flyers", owner_id=bram.id,
                due_date=None, now=now + MIN)  # fmt: skip
    assert told(session, "step_assigned") == {bram.id}  # already his: nothing new


def test_a_stage_move_is_told_to_the_group_but_the_mover(session, now):
    item, (anna, bram, cor) = _visioning(session, now)
    assert told(session, "stage_moved") == {bram.id, cor.id}


def test_a_daily_reader_gets_one_overview_at_the_digest_hour(session, now):
    item, (anna, bram, cor) = _visioning(session, now)
    set_preferences(session, bram, modes={"decisions": "daily", "stage_moves": "daily"}, now=now)
    session.query(OutboxMessage).delete()
    open_decision(session, anna, item.id, "plan", now + MIN)
    assert bram.email not in mailed_to(session)
    assert send_digests(session, now + 2 * MIN) == "0 overviews"
    send_digests(session, now + timedelta(days=1))
    (overview,) = session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == bram.email))
    # the decision, and Cor who joined (a daily kind by default); the stage move went at once
    assert overview.subject == "Je overzicht: 2 meldingen"
    assert send_digests(session, now + timedelta(days=2)) == "0 overviews"


def test_fan_out_is_a_fixed_number_of_statements_however_large_the_group(session, now):
    def statements_for(members: int) -> int:
        item = factories.initiative(session, now, members=members, title=f"Groep {members}")
        anna = item.memberships[0].person
        fire_transition(session, anna, item.id, "start", now)
        counted = []

        def count(*_args):
            counted.append(1)

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            notify(session, kind="stage_moved", initiative_id=item.id, actor_id=anna.id,
                   recipients=group(item.id), link="/", now=now, data={"stage": "x"})  # fmt: skip
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(told(session, "stage_moved")) >= members
        return len(counted)

    assert statements_for(2) == statements_for(12)


def test_mark_read_and_the_unread_count(session, now):
    item, (anna, bram, _cor) = _visioning(session, now)
    open_decision(session, anna, item.id, "plan", now + MIN)
    # Cor joined, the stage move, the decision
    assert unread_count(session, bram.id) == 3
    first = session.scalar(select(Notification.id).where(Notification.person_id == bram.id))
    mark_read(session, bram, first, now)
    assert unread_count(session, bram.id) == 2
    assert unread_count(session, anna.id) == 2  # others' reading is theirs
    assert mark_all_read(session, bram, now) == 2
    assert unread_count(session, bram.id) == 0


def test_a_message_is_told_to_the_discussion_but_not_to_its_author(session, now):
    from engine.discussions.operations import post_message
    from engine.models.notifications import NotificationEvent as _Event

    item, (anna, bram, cor) = _visioning(session, now)
    outsider = factories.person(session, now, "Buiten")
    message = post_message(session, bram, initiative_id=item.id, body="Zaterdag?", now=now + MIN)
    assert told(session, "message_posted") == {anna.id, cor.id}
    link = session.scalars(select(_Event.link).where(_Event.kind == "message_posted")).one()
    assert link == f"/initiatives/{item.id}/discussion?page=1#message-{message.id}"
    assert outsider.id not in told(session, "message_posted")
    # the coaches' thread is the initiators' and the coaches': a plain member hears nothing
    post_message(session, anna, initiative_id=item.id, body="Even onder ons", now=now + 2 * MIN,
                 channel="coaches")  # fmt: skip
    assert told(session, "message_posted") == {anna.id, cor.id}
