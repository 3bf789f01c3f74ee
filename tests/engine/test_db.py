"""engine.db: one unit of work per transaction, and a lost race said plainly."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.exc import IntegrityError

from engine.db import make_session_factory, unit_of_work
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
