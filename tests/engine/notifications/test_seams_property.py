"""The fan-out's rules under random sequences of group actions (a property test, Hypothesis).

Whoever acts (an initiator, a member, a newcomer, someone outside), whatever they try (pause,
resume, open a decision, vote, close it, join, leave, start), and whether the engine lets them:

* a paused group is told nothing but what concerns the pause;
* nobody is told about their own action;
* every notification is mailed at most once (at once, or in one overview).
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from engine.errors import VerbindingError
from engine.models import Decision, Initiative, Membership, OutboxMessage
from engine.models.notifications import Notification, NotificationEvent
from engine.notifications.digests import send_digests
from engine.notifications.kinds import event_kind
from engine.operations import (
    cast_vote,
    fire_transition,
    leave_initiative,
    open_decision,
    pause_initiative,
    request_to_join,
    resume_initiative,
)
from engine.operations.decisions import close_decision
from tests import factories
from tests.factories.initiatives import bring_in

MIN = timedelta(minutes=1)
ACTIONS = ("pause", "resume", "open", "vote", "close", "join", "leave", "start", "ask")
#: an action and who does it (an index into the people of the world: initiator first)
STEPS = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 4)), max_size=8)


def _do(session, action: str, actor, item, now) -> None:
    open_one = session.scalar(
        select(Decision.id).where(Decision.initiative_id == item.id, Decision.status == "open")
    )
    if action == "pause":
        pause_initiative(session, actor, item.id, reason="Vakantie", now=now)
    elif action == "resume":
        resume_initiative(session, actor, item.id, now=now)
    elif action == "open":
        open_decision(session, actor, item.id, "plan", now)
    elif action == "vote" and open_one is not None:
        cast_vote(session, actor, open_one, "for", now)
    elif action == "close" and open_one is not None:
        close_decision(session, actor, open_one, now)
    elif action == "join":
        bring_in(session, item, item.memberships[0].person, actor, now)
    elif action == "ask":
        request_to_join(session, actor, item.id, now)
    elif action == "leave":
        leave_initiative(session, actor, item.id, now)
    elif action == "start":
        fire_transition(session, actor, item.id, "start", now)


def _members(session, item) -> set[int]:
    return set(session.scalars(select(Membership.person_id).where(
        Membership.initiative_id == item.id)))  # fmt: skip


def test_the_fan_out_rules_hold_whatever_the_group_does(session, now):
    item = factories.initiative(session, now, members=3)
    people = [m.person for m in item.memberships] + [factories.person(session, now)]
    people += [factories.person(session, now)]
    session.flush()

    @settings(max_examples=20, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])  # fmt: skip
    @given(STEPS)
    def run(steps):
        example = session.begin_nested()
        try:
            moment = now
            for action, who in steps:
                moment += MIN
                actor = people[who]
                last = session.scalar(select(func.max(Notification.id))) or 0
                paused_before = session.get(Initiative, item.id).is_paused
                members_before = _members(session, item)
                attempt = session.begin_nested()
                try:
                    _do(session, action, actor, item, moment)
                    attempt.commit()
                except VerbindingError:
                    attempt.rollback()  # refused: it wrote nothing, and told nobody
                session.expire_all()
                new = session.execute(
                    select(Notification.person_id, NotificationEvent.kind,
                           NotificationEvent.actor_id, NotificationEvent.initiative_id)
                    .join(NotificationEvent, NotificationEvent.id == Notification.event_id)
                    .where(Notification.id > last)
                ).all()  # fmt: skip
                paused = paused_before or session.get(Initiative, item.id).is_paused
                for reader, kind, actor_id, initiative_id in new:
                    assert reader != actor_id, f"{kind}: told about their own action"
                    if paused and initiative_id == item.id and not event_kind(kind).is_pause:
                        assert reader not in members_before | _members(session, item), (
                            f"{kind} told to a member of a paused group"
                        )  # fmt: skip
            _mailed_at_most_once(session, moment)
        finally:
            example.rollback()
            session.expire_all()

    run()


def _mailed_at_most_once(session, moment) -> None:
    """Mailed at once: one outbox row per notification; the rest: in one overview, once."""
    at_once = session.scalar(select(func.count()).where(
        Notification.mail_mode == "immediate", Notification.mail_status == "sent"))  # fmt: skip
    keys = session.scalar(select(func.count(func.distinct(OutboxMessage.notification_id))))
    rows = session.scalar(select(func.count()).where(OutboxMessage.notification_id.is_not(None)))
    assert keys == rows == at_once
    later = moment + timedelta(days=8)
    send_digests(session, later)
    assert send_digests(session, later) == "0 overviews"
    assert not session.scalar(select(func.count()).where(Notification.mail_status == "pending"))
