"""The history's page of events carries the count of all events in the same statement
(engine/history.py); a page past the end, or none asked for, still knows the count."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.history import load_history
from engine.models import Event
from engine.operations import add_step
from tests import factories


def test_the_count_on_every_page(session, now):
    item = factories.initiative(session, now, members=1)
    initiator = item.memberships[0].person
    for n in range(4):
        add_step(session, initiator, item.id, stage_key="proposal", title=f"Stap {n}", now=now)
    session.flush()
    total = session.scalar(select(func.count()).where(Event.initiative_id == item.id))
    assert total >= 5
    first = load_history(session, item, private=False, page=1, per_page=3)
    assert (len(first.events), first.total) == (3, total)
    last = load_history(session, item, private=False, page=2, per_page=3)
    assert (len(last.events), last.total) == (total - 3, total)
    past = load_history(session, item, private=False, page=9, per_page=3)
    assert (past.events, past.total) == ([], total)
    none = load_history(session, item, private=False, page=1, per_page=0)
    assert (none.events, none.total) == ([], total)


def test_no_events_no_count(session, now):
    item = factories.initiative(session, now, members=1)
    session.execute(Event.__table__.delete().where(Event.initiative_id == item.id))
    empty = load_history(session, item, private=False)
    assert (empty.events, empty.total) == ([], 0)
