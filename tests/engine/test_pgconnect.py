"""engine/pgconnect.py on a real PostgreSQL server: the lazy description answers what psycopg's
own does, and a pooled connection whose server session ended is replaced at checkout — the
request that takes it goes through — while a live one is not pinged."""

from __future__ import annotations

import time
from datetime import date

import psycopg
import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from engine import pgconnect
from engine.db import make_engine
from engine.models import Person
from tests.conftest import migrated_database, new_database_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(tmp_path) -> Engine:
    engine = migrated_database("postgres", tmp_path, "pgconnect")
    yield engine
    engine.dispose()


def test_the_engine_uses_the_lean_cursor(pg):
    with pg.connect() as conn:
        assert isinstance(conn.connection.dbapi_connection.cursor(), pgconnect.LeanCursor)


def test_the_description_is_psycopgs_own_when_read(pg):
    query = "SELECT 1 AS one, 'x'::varchar(7) AS word, now()::date AS day, NULL::numeric(5, 2)"
    raw = pg.raw_connection()
    try:
        lean = raw.driver_connection.cursor()
        plain = psycopg.Cursor(raw.driver_connection)
        lean.execute(query)
        plain.execute(query)
        described, expected = lean.description, plain.description
        assert isinstance(described, pgconnect.LazyDescription)
        assert len(described) == len(expected) == 4
        assert [tuple(c) for c in described] == [tuple(c) for c in expected]
        assert described[1].name == "word" and described[1].display_size == 7
        assert [c.name for c in described[-2:]] == ["day", "numeric"]
        lean.execute("SET search_path TO public")  # no result: no description
        assert lean.description is None
        lean.execute("SELECT")  # a result without columns: an empty one, as psycopg says
        assert lean.description is not None and len(lean.description) == 0
        lean.close()
        plain.close()
    finally:
        raw.close()


def test_results_read_through_sqlalchemy_have_their_names(pg):
    with Session(pg) as s:
        row = s.execute(text("SELECT 2 AS two, CAST(:d AS date) AS day"), {"d": date(2026, 12, 1)})
        assert row.mappings().one() == {"two": 2, "day": date(2026, 12, 1)}
        for _ in range(3):  # the second run on takes the cached result columns
            assert s.execute(select(Person.id, Person.email).where(Person.id < 0)).all() == []
            result = s.execute(select(Person.email.label("address"), Person.name).limit(1))
            assert list(result.keys()) == ["address", "name"]


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _alive(admin: Engine, pid: int) -> bool:
    with admin.connect() as conn:  # a transaction of its own: the statistics are read afresh
        query = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p")
        return bool(conn.execute(query, {"p": pid}).scalar_one())


def test_a_pooled_connection_whose_session_ended_is_replaced(tmp_path, monkeypatch):
    engine = make_engine(new_database_url("postgres", tmp_path, "pgconnect_end"), pool_size=1)
    admin = make_engine(new_database_url("postgres", tmp_path, "pgconnect_admin"))
    pings = []
    monkeypatch.setattr(
        engine.dialect, "do_ping", lambda c, ping=engine.dialect.do_ping: pings.append(1) or ping(c)
    )
    try:
        first = _backend_pid(engine)
        assert _backend_pid(engine) == first and pings == []  # alive and quiet: not asked
        with admin.connect() as conn:  # as a restart or an administrator would end it
            ended = conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first})
            assert ended.scalar_one() is True
        # the signal is sent; the session ends (says goodbye, closes) a moment later
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(admin, first):
            time.sleep(0.02)
        assert not _alive(admin, first)
        # the request that takes the pooled connection next goes through, on a new one
        assert _backend_pid(engine) != first
        assert pings == [1]
    finally:
        engine.dispose()
        admin.dispose()


def test_a_connection_idle_for_long_is_pinged(tmp_path, monkeypatch):
    engine = make_engine(new_database_url("postgres", tmp_path, "pgconnect_idle"), pool_size=1)
    pings = []
    monkeypatch.setattr(
        engine.dialect, "do_ping", lambda c, ping=engine.dialect.do_ping: pings.append(1) or ping(c)
    )
    try:
        first = _backend_pid(engine)
        monkeypatch.setattr(pgconnect, "IDLE_PING_SECONDS", 0.0)
        assert _backend_pid(engine) == first and pings == [1]  # asked, alive, kept
    finally:
        engine.dispose()
