"""Shared fixtures: every database test runs on a real SQLite file and on PostgreSQL.

PostgreSQL is found at ``VERBINDING_TEST_POSTGRES_URL`` (default: the local ``test`` database
with trust auth). When it cannot be reached the PostgreSQL half is skipped locally, but with
``VERBINDING_REQUIRE_POSTGRES=1`` (as ``.ci/run`` sets) the run fails instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from engine.db import make_engine, make_session_factory
from engine.migrate import upgrade_engine

PG_URL = os.environ.get(
    "VERBINDING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("VERBINDING_REQUIRE_POSTGRES") == "1"
TEST_WORKFLOWS = Path(__file__).parent / "data" / "workflows"
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def _postgres_problem() -> str | None:
    try:
        probe = create_engine(PG_URL)
        with probe.connect() as conn:
            conn.execute(text("select 1"))
        probe.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(exc).__name__}: {exc}"
    return None


_PG_PROBLEM = _postgres_problem()


def pytest_sessionstart(session):
    if REQUIRE_PG and _PG_PROBLEM:
        raise pytest.UsageError(
            f"PostgreSQL is required (VERBINDING_REQUIRE_POSTGRES=1) but {PG_URL} "
            f"is not reachable: {_PG_PROBLEM}"
        )


def _pg_database_url(name: str) -> str:
    """A fresh PostgreSQL database beside the test one (trust auth lets us create it)."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    base = PG_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def _new_database(kind: str, tmp_dir: Path, name: str) -> Engine:
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_dir / (name + '.db')}")
    else:
        if _PG_PROBLEM:
            pytest.skip(f"PostgreSQL not reachable: {_PG_PROBLEM}")
        engine = make_engine(_pg_database_url(f"verbinding_{name}_{os.getpid()}"))
    upgrade_engine(engine)
    return engine


DB_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=DB_KINDS)
def db_engine(request, tmp_path_factory) -> Iterator[Engine]:
    """One migrated database per kind for the whole run; tests roll back their changes."""
    engine = _new_database(request.param, tmp_path_factory.mktemp("db"), "tx")
    with make_session_factory(engine)() as session:
        from engine.workflows.versions import sync_workflows

        sync_workflows(session, NOW)
        sync_workflows(session, NOW, TEST_WORKFLOWS)
        _seed_places(session)
        session.commit()
    yield engine
    engine.dispose()


def _seed_places(session: Session) -> None:
    from engine.models import District, Neighbourhood

    west = District(name="West")
    zuid = District(name="Zuid")
    session.add_all([west, zuid])
    session.flush()
    session.add_all(
        [
            Neighbourhood(district_id=west.id, name="Paddepoel"),
            Neighbourhood(district_id=zuid.id, name="Helpman"),
        ]
    )


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = db_engine.connect()
    outer = connection.begin()
    s = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield s
    finally:
        s.close()
        outer.rollback()
        connection.close()


@pytest.fixture(scope="session", params=DB_KINDS)
def committed_engine(request, tmp_path_factory) -> Iterator[Engine]:
    """A database for tests that need real commits from several connections."""
    engine = _new_database(request.param, tmp_path_factory.mktemp("cdb"), "commit")
    with make_session_factory(engine)() as session:
        from engine.workflows.versions import sync_workflows

        sync_workflows(session, NOW)
        sync_workflows(session, NOW, TEST_WORKFLOWS)
        _seed_places(session)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def now() -> datetime:
    return NOW
