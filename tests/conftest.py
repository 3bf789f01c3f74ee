"""Shared fixtures: every database test runs on a real SQLite file and on PostgreSQL.

PostgreSQL is found at ``VERBINDING_TEST_POSTGRES_URL`` (default: the local ``test`` database
with trust auth). When it cannot be reached the PostgreSQL half is skipped locally, but with
``VERBINDING_REQUIRE_POSTGRES=1`` (as ``.ci/run`` sets) the run fails instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from engine.db import make_engine, make_session_factory
from engine.migrate import upgrade_engine
from engine.storage import LocalStorage, Storage
from tests.s3 import S3Server
from tests.support import SmtpServer

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


PG_PROBLEM = _postgres_problem()


def pytest_sessionstart(session):
    if REQUIRE_PG and PG_PROBLEM:
        raise pytest.UsageError(
            f"PostgreSQL is required (VERBINDING_REQUIRE_POSTGRES=1) but {PG_URL} "
            f"is not reachable: {PG_PROBLEM}"
        )


#: modules that count what a part of the run did (each has ``lines()``): the stateful test of
#: the group's rules, the fuzzer, the accessibility audit
SUMMARIES = ("tests.invariants.summary", "tests.web.fuzz.summary", "tests.browser.a11y")


def _summary_lines() -> list[str]:
    found = (sys.modules.get(name) for name in SUMMARIES)
    return [line for module in found if module is not None for line in module.lines()]


#: the summary lines the parallel workers (pytest-xdist, as .ci/run uses) sent back
_WORKER_LINES: list[str] = []


#: whether a worker's run failed in a way that fails no single test (an accessibility audit
#: that went on past its violations, VERBINDING_AXE_KEEP_GOING=1): a worker's exit status does
#: not reach the controller, so it says so in its output
_WORKER_FAILED: list[bool] = []


def _failed_apart_from_tests() -> bool:
    a11y = sys.modules.get("tests.browser.a11y")
    return a11y is not None and a11y.failed()


def pytest_sessionfinish(session, exitstatus):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a worker: its summary goes back to the controller
        workeroutput["summary"] = _summary_lines()
        workeroutput["failed"] = _failed_apart_from_tests()
    elif exitstatus == 0 and (any(_WORKER_FAILED) or _failed_apart_from_tests()):
        session.exitstatus = 1
    _drop_databases()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    output = getattr(node, "workeroutput", {})
    _WORKER_LINES.extend(output.get("summary", []))
    _WORKER_FAILED.append(bool(output.get("failed")))


def pytest_terminal_summary(terminalreporter):
    """What the counted parts of the run did, in this process and in every worker."""
    for line in _WORKER_LINES + _summary_lines():
        terminalreporter.write_line(line)


#: the PostgreSQL databases this process made, dropped when its session ends
_MADE: set[str] = set()


def pg_database_url(name: str) -> str:
    """A fresh PostgreSQL database beside the test one, unique to this process."""
    name = f"verbinding_{name}_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    _MADE.add(name)
    base = PG_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def _drop_databases() -> None:
    """Drop this process's databases (each run makes new ones: left behind, a machine that
    runs the tests often would fill up with them)."""
    if not _MADE:
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in sorted(_MADE):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    _MADE.clear()


def new_database_url(kind: str, tmp_dir: Path, name: str) -> str:
    """The URL of a new, empty database of this kind (skips when PostgreSQL is unreachable)."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_dir / (name + '.db')}"
    if PG_PROBLEM:
        pytest.skip(f"PostgreSQL not reachable: {PG_PROBLEM}")
    return pg_database_url(name)


def migrated_database(kind: str, tmp_dir: Path, name: str) -> Engine:
    """A new database of this kind with the newest schema and nothing in it."""
    engine = make_engine(new_database_url(kind, tmp_dir, name))
    upgrade_engine(engine)
    return engine


def prepared_database(kind: str, tmp_dir: Path, name: str) -> Engine:
    """A migrated database with the shipped and the test templates and two wijken."""
    from engine.workflows.versions import sync_workflows

    engine = migrated_database(kind, tmp_dir, name)
    with make_session_factory(engine)() as session:
        sync_workflows(session, NOW)
        sync_workflows(session, NOW, TEST_WORKFLOWS)
        seed_places(session)
        session.commit()
    return engine


def seed_places(session: Session) -> None:
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


DB_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=DB_KINDS)
def db_engine(request, tmp_path_factory) -> Iterator[Engine]:
    """One prepared database per kind for the whole run; tests roll back their changes."""
    engine = prepared_database(request.param, tmp_path_factory.mktemp("db"), "tx")
    yield engine
    engine.dispose()


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = db_engine.connect()
    outer = connection.begin()
    if connection.dialect.name == "sqlite":
        # pysqlite opens its transaction lazily, before the first write: a SAVEPOINT outside a
        # transaction would start one of its own, and its RELEASE (a test's session.commit())
        # would commit for good, leaving rows behind for later tests
        connection.exec_driver_sql("BEGIN")
    s = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield s
    finally:
        s.close()
        outer.rollback()
        connection.close()


@pytest.fixture(scope="session", params=DB_KINDS)
def committed_engine(request, tmp_path_factory) -> Iterator[Engine]:
    """A prepared database for tests that need real commits from several connections."""
    engine = prepared_database(request.param, tmp_path_factory.mktemp("cdb"), "commit")
    yield engine
    engine.dispose()


@pytest.fixture(params=DB_KINDS)
def database_url(request, tmp_path) -> str:
    """The URL of a new, empty database of each kind, for tests of the command line."""
    return new_database_url(request.param, tmp_path, "cli")


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback for the whole run; it keeps what it receives."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_sink: SmtpServer) -> SmtpServer:
    """The SMTP server, emptied: a test sees only the mail sent while it runs."""
    smtp_sink.clear()
    return smtp_sink


#: where uploaded files are kept: a local folder and a bucket on a real (moto) S3 server
STORAGE_KINDS = ["local", "s3"]


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """An S3 server on loopback for the whole run (moto's server mode)."""
    server = S3Server().start()
    yield server
    server.stop()


@pytest.fixture(params=STORAGE_KINDS)
def storage(request, tmp_path) -> Storage:
    """An empty storage of each kind: a folder, and a bucket of its own on the S3 server."""
    if request.param == "local":
        return LocalStorage(tmp_path / "uploads")
    server = request.getfixturevalue("s3_server")
    return server.storage(server.new_bucket(), prefix="site/")


@pytest.fixture
def now() -> datetime:
    return NOW
