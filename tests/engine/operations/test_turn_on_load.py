"""A form's initiative is locked as it is loaded (PostgreSQL): initiative_and_role with
``for_change`` takes the row lock the operation would take, in the same statement, and the
operation then sends no second lock — in that transaction only. On SQLite nothing changes: the
operation takes the write lock as before.

Committed for real, through separate sessions; every test makes its own initiative.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from engine.db import make_session_factory, unit_of_work
from engine.errors import NotFound
from engine.models import Initiative, Person
from engine.operations import fire_transition
from engine.operations.common import initiative_and_role, take_turn
from tests import factories

MIN = timedelta(minutes=1)


@pytest.fixture
def factory(committed_engine):
    return make_session_factory(committed_engine)


def _new_initiative(factory, now) -> tuple[int, int]:
    with unit_of_work(factory) as s:
        item = factories.initiative(s, now, members=1, title="Groen aan de Voermanhaven")
        return item.id, item.memberships[0].person_id


def _locked_elsewhere(factory, iid: int) -> bool:
    """Whether another transaction holds the initiative's row lock (PostgreSQL)."""
    with factory() as other:
        try:
            other.execute(
                select(Initiative.id)
                .where(Initiative.id == iid)
                .with_for_update(key_share=True, nowait=True)
            ).all()
        except OperationalError:
            return True
        finally:
            other.rollback()
    return False


def _statements(session: Session) -> list[str]:
    sent: list[str] = []
    event.listen(session.connection(), "before_cursor_execute", lambda *a: sent.append(a[2]))
    return sent


def _locks(sent: list[str]) -> list[str]:
    return [sql for sql in sent if "FOR NO KEY UPDATE" in sql or "BEGIN IMMEDIATE" in sql]


def test_a_form_locks_its_initiative_as_it_loads_it(factory, now, committed_engine):
    postgres = committed_engine.dialect.name == "postgresql"
    iid, anna_id = _new_initiative(factory, now)
    with factory() as s:
        initiative, role = initiative_and_role(s, iid, anna_id, for_change=True)
        assert (initiative.id, role) == (iid, "initiator")
        if postgres:
            assert _locked_elsewhere(factory, iid)  # held from the load on
        sent = _statements(s)
        fire_transition(s, s.get(Person, anna_id), iid, "start", now + MIN)
        # PostgreSQL: not taken twice; SQLite: the operation becomes the writer, as before
        assert _locks(sent) == ([] if postgres else ["BEGIN IMMEDIATE"])
        s.commit()
        if postgres:
            assert not _locked_elsewhere(factory, iid)
        # a new transaction of the same session: the turn is taken again
        sent = _statements(s)
        take_turn(s, iid)
        assert len(_locks(sent)) == 1
        if postgres:
            assert _locked_elsewhere(factory, iid)
        s.rollback()
    with factory() as s:
        assert s.get(Initiative, iid).state == "visioning"


def test_a_page_that_only_shows_locks_nothing(factory, now, committed_engine):
    iid, anna_id = _new_initiative(factory, now)
    with factory() as s:
        initiative_and_role(s, iid, anna_id)
        if committed_engine.dialect.name == "postgresql":
            assert not _locked_elsewhere(factory, iid)
        sent = _statements(s)
        take_turn(s, iid)  # the operation takes the lock itself
        wanted = "FOR NO KEY UPDATE" if committed_engine.dialect.name == "postgresql" else "BEGIN"
        assert any(wanted in sql for sql in sent)
        s.rollback()


def test_a_missing_initiative_is_none_and_no_turn_is_taken(factory, now, committed_engine):
    _, anna_id = _new_initiative(factory, now)
    with factory() as s:
        assert initiative_and_role(s, 10**9, anna_id, for_change=True) == (None, None)
        if committed_engine.dialect.name == "postgresql":
            with pytest.raises(NotFound):  # asked again, and told again
                take_turn(s, 10**9)
