"""The initiative page's view model: the path with statuses, the plan, the group, the history."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

from sqlalchemy import event

from engine.history import load_history
from engine.operations import (
    add_step,
    cast_vote,
    complete_step,
    fire_transition,
    insert_stage,
    invite,
    open_decision,
    pause_initiative,
    set_target_date,
    skip_stage,
)
from engine.pages import load_page
from tests import factories

MIN = timedelta(minutes=1)


@contextlib.contextmanager
def count_queries(session):
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _busy(session, now, steps: int, members: int):
    """An initiative in visioning with steps, an own stage, a decision with votes."""
    item = factories.initiative(session, now, members=members)
    anna = item.memberships[0].person
    t = now
    for n in range(steps):
        t += MIN
        step = add_step(
            session, anna, item.id, stage_key="proposal", title=f"Stap {n}", now=t,
            owner_id=item.memberships[n % len(item.memberships)].person_id,
        )  # fmt: skip
        complete_step(session, anna, item.id, step.id, t)
    fire_transition(session, anna, item.id, "start", t + MIN, note="Op de buurtavond besloten")
    for n in range(steps):
        add_step(session, anna, item.id, stage_key="visioning", title=f"Visie {n}", now=t)
    insert_stage(
        session, anna, item.id, after="execution", title="Buurtfeest", description="", now=t
    )
    decision = open_decision(session, anna, item.id, "plan", t + 2 * MIN, question="Verder?")
    for membership in item.memberships[1:]:
        cast_vote(session, membership.person, decision.id, "for", t + 3 * MIN, comment="Ja")
    session.expire_all()
    return item, anna


def test_the_path_shows_every_stage_with_its_status(session, now):
    item = factories.initiative(session, now, members=1)
    anna = item.memberships[0].person
    skip_stage(session, anna, item.id, "visioning", now + MIN)
    insert_stage(
        session, anna, item.id, after="proposal", title="Buurt peilen", description="Enquête",
        now=now + 2 * MIN,
    )  # fmt: skip
    set_target_date(
        session, anna, item.id, stage_key="execution", target_date=date(2027, 5, 1), now=now
    )
    page = load_page(session, item, anna)
    assert [(s.key, s.status) for s in page.stages] == [
        ("proposal", "current"),
        ("own_1", "upcoming"),
        ("visioning", "skipped"),
        ("execution", "upcoming"),
        ("maintenance", "upcoming"),
    ]
    own = page.stage("own_1")
    assert own.is_custom and own.title.nl == "Buurt peilen" and own.participation is None
    assert own.can_remove and page.stage("visioning").can_restore
    assert page.stage("execution").target_date == date(2027, 5, 1)
    assert page.stage("proposal").participation == "coproduceren"
    assert page.stage("proposal").municipality_role.en == "Thinks along."
    # the template's suggestion is offered until the group adds it
    assert [t.en for t in page.current.suggestions] == ["Write the idea down"]
    add_step(session, anna, item.id, stage_key="proposal", title="Schrijf het idee op", now=now)
    assert load_page(session, item, anna).current.suggestions == []


def test_a_stage_the_group_moved_past_counts_as_done(session, now):
    item, anna = _busy(session, now, steps=1, members=1)
    page = load_page(session, item, anna)
    assert [s.status for s in page.stages][:2] == ["done", "current"]
    assert page.role == "initiator" and page.is_member
    assert [m.name for m in page.members][0] == "Anna de Vries"


def test_decisions_moves_and_history_come_with_names(session, now):
    item, anna = _busy(session, now, steps=2, members=2)
    page = load_page(session, item, anna)
    (decision,) = page.decisions
    assert decision.is_open and decision.count("for") == 2 and decision.electorate == 3
    assert decision.move_title.en == "Go and execute"
    assert {v.comment for v in decision.votes} == {"Ja"}
    assert page.decision_for("plan") is decision
    (move,) = page.moves
    assert move.trigger == "plan" and not move.allowed
    kinds = [e.event.kind for e in page.history.events]
    assert kinds[0] == "decision.vote" and len(kinds) == 8
    assert page.history.total > 8
    transition = next(e for e in load_history(session, item, private=True, per_page=100).events
                       if e.event.kind == "transition")  # fmt: skip
    assert transition.actor_name == "Anna de Vries"
    assert transition.event.note == "Op de buurtavond besloten"


def test_the_page_loads_with_the_same_few_queries_however_busy(session, now):
    small, anna_small = _busy(session, now, steps=1, members=1)
    big, anna_big = _busy(session, now, steps=12, members=6)
    invite(session, anna_big, big.id, email="nieuw@example.nl", role="member", now=now)
    load_page(session, small, anna_small)  # warm the template cache
    with count_queries(session) as few:
        load_page(session, small, anna_small)
    with count_queries(session) as many:
        page = load_page(session, big, anna_big)
    assert len(page.members) == 7 and sum(len(s.steps) for s in page.stages) == 24
    assert len(many) == len(few) <= 14, many


def test_a_visitor_sees_no_role_and_a_paused_group_cannot_move(session, now):
    item = factories.initiative(session, now, members=1)
    anna = item.memberships[0].person
    pause_initiative(session, anna, item.id, reason="Zomervakantie", now=now + MIN)
    page = load_page(session, item, None)
    assert page.role is None and not page.is_member
    assert all(not m.allowed for m in page.moves)
    assert page.history.events[0].event.note == "Zomervakantie"
