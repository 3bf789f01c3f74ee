"""engine.db: one unit of work per transaction, and a lost race said plainly."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from engine.db import is_unavailable, make_engine, make_session_factory, one_line, unit_of_work
from engine.errors import Conflict
from engine.models import Person


def _person(email: str, name: str | None, now) -> Person:
    return Person(email=email, name=name, created_dt=now)  # type: ignore[arg-type]


def test_a_unique_key_taken_by_another_writer_is_a_conflict_and_writes_nothing(
    committed_engine, now
):
    sessions = make_session_factory(committed_engine)
    email = f"dubbel-{uuid.uuid4().hex[:8]}@example.nl"
    with unit_of_work(sessions) as first:
        first.add(_person(email, "Eerste", now))
    with pytest.raises(Conflict) as refused, unit_of_work(sessions) as second:
        second.add(_person(email, "Tweede", now))
        second.add(_person(f"ander-{email}", "Ander", now))
    assert refused.value.message.msgid.startswith("Someone else saved the same thing")
    with sessions() as check:
        found = check.query(Person.name).filter(Person.email.like(f"%{email}")).all()
        assert [row.name for row in found] == ["Eerste"]


def test_a_missing_value_is_a_bug_not_a_race(committed_engine, now):
    sessions = make_session_factory(committed_engine)
    with pytest.raises(IntegrityError), unit_of_work(sessions) as session:
        session.add(_person(f"naamloos-{uuid.uuid4().hex[:8]}@example.nl", None, now))


#: a PostgreSQL that is not there: nothing listens on port 1
AWAY = "postgresql+psycopg://postgres@127.0.0.1:1/verbinding"


def test_a_database_that_cannot_be_reached_is_told_apart_from_a_faulty_query(
    committed_engine, tmp_path
):
    away = make_engine(AWAY)
    with pytest.raises(OperationalError) as refused, away.connect():
        pass
    away.dispose()
    assert is_unavailable(refused.value)
    assert one_line(refused.value).startswith("OperationalError: connection failed")
    with committed_engine.connect() as connection:
        with pytest.raises(DBAPIError) as faulty:
            connection.execute(text("SELECT * FROM no_such_table"))
        assert not is_unavailable(faulty.value)
        connection.rollback()
        with pytest.raises(IntegrityError) as taken:
            connection.execute(text("INSERT INTO people (id) VALUES (NULL)"))
        assert not is_unavailable(taken.value)
