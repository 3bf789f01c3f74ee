"""Database engines, sessions, the declarative base and the unit of work."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    DateTime,
    Insert,
    MetaData,
    Select,
    Table,
    create_engine,
    event,
    func,
    insert,
    literal,
    make_url,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.selectable import CTE
from sqlalchemy.types import TypeDecorator

from engine.config import Config
from engine.errors import Conflict, lost_race

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:  # every model here is mapped to a Table, which Core statements accept
        __table__: ClassVar[Table]


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC; always hand back aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; the engine works in aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


@compiles(Table, "sqlite")
def _sqlite_table_hint(table: Table, compiler, **kw) -> str:
    """A table with its hint on SQLite: SQLAlchemy renders ``Select.with_hint`` for other
    databases only, and SQLite's is ``INDEXED BY <index>`` after the table's name (a query
    whose planner would take another index when its statistics are stale)."""
    text = compiler.visit_table(table, **kw)
    hints = kw.get("fromhints")
    if hints and table in hints and not kw.get("ashint") and hints[table] not in text:
        text += " " + hints[table]
    return text


#: the pages one SQLite connection keeps in memory, in KiB (SQLite's default is 2,000): a
#: district coach's feed at 100,000 initiatives reads ~1,200 entries and their initiatives
#: spread over a large file, and with 2 MB read them from the OS again on every poll (its CPU
#: grew 1.24-1.37x from 10,000 to 100,000; with 16 MiB 1.09x). Filled only as pages are read:
#: at most this much per pooled connection (docs/deploy.md)
SQLITE_CACHE_KIB = 16 * 1024


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cur.close()


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if make_url(url).drivername == "postgresql+psycopg":  # what we ship: engine/pgconnect.py
        from engine.pgconnect import LeanCursor, ping_when_in_doubt

        connect_args = {"cursor_factory": LeanCursor, **kwargs.pop("connect_args", {})}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        ping_when_in_doubt(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine, config: Config | None = None) -> sessionmaker[Session]:
    """Sessions on ``engine``; each carries ``config`` (see engine.config.config_of)."""
    info = {"config": config} if config is not None else None
    return sessionmaker(engine, expire_on_commit=False, info=info)


#: PostgreSQL's codes for a transaction it could not serialise and for a deadlock it broke: the
#: other transaction went ahead, this one is rolled back
_CONFLICT_SQLSTATES = ("40001", "40P01")
_CONFLICT_WORDS = ("database is locked", "could not serialize", "deadlock detected")


def is_conflict(exc: BaseException) -> bool:
    """Tell whether a database error means 'someone else wrote first'."""
    if isinstance(exc, StaleDataError):
        return True
    if isinstance(exc, OperationalError):
        if getattr(exc.orig, "sqlstate", None) in _CONFLICT_SQLSTATES:
            return True
        text = str(exc.orig).lower()
        return any(words in text for words in _CONFLICT_WORDS)
    return False


#: PostgreSQL's codes for a unique and a foreign-key violation; SQLite says it in words
_RACE_SQLSTATES = ("23505", "23503")
_RACE_WORDS = ("unique constraint failed", "foreign key constraint failed")


def is_lost_race(exc: IntegrityError) -> bool:
    """Tell whether a constraint stopped a write because another one got there first: a unique
    key taken, or a row it points at deleted (not a missing value, which is a bug)."""
    if getattr(exc.orig, "sqlstate", None) in _RACE_SQLSTATES:
        return True
    text = str(exc.orig).lower()
    return any(words in text for words in _RACE_WORDS)


@contextmanager
def conflict_guard() -> Iterator[None]:
    """Turn a lost race into :class:`~engine.errors.Conflict`: an optimistic-concurrency check
    that failed, a locked or unserialisable transaction, or a unique key taken meanwhile."""
    try:
        yield
    except IntegrityError as exc:
        if is_lost_race(exc):
            log.info("lost race: %s", exc)
            raise lost_race() from exc
        raise
    except (StaleDataError, OperationalError) as exc:
        if is_conflict(exc):
            log.info("conflict: %s", exc)
            raise Conflict() from exc
        raise


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit at the end, roll back on any error, conflicts made plain."""
    session = factory()
    try:
        with conflict_guard():
            yield session
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class ReadOnlyViolation(RuntimeError):
    """A write sent in a session that promised to read only (:func:`read_only`): a bug."""


def read_only(session: Session) -> None:
    """Let ``session`` only read, each statement on its own: on PostgreSQL in autocommit, so no
    BEGIN and ROLLBACK travel around a page's reads (two round trips and the driver's and
    SQLAlchemy's bookkeeping of a transaction: 2-3 ms of web CPU a page on a slow machine,
    BENCHMARKS.md). What the reads see does not change: in READ COMMITTED every statement takes a
    snapshot of its own anyway, and a page takes no locks. A write in such a session would be
    committed statement by statement, so it is refused before it is sent
    (:class:`ReadOnlyViolation`). SQLite is left as it is: its driver begins a transaction only
    before the first write, a page of reads sends no BEGIN there."""
    if session.get_bind().dialect.name != "postgresql":
        return
    connection = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    event.listen(connection, "before_cursor_execute", _refuse_writes)


def _refuse_writes(_conn, _cursor, statement: str, _params, context, _many) -> None:
    """Before each statement of a read-only session: only a SELECT (or WITH … SELECT) that
    locks nothing goes through."""
    first = statement.lstrip()[:6].upper()
    if (
        context.isinsert
        or context.isupdate
        or context.isdelete
        or not (first == "SELECT" or first.startswith("WITH"))
        or " FOR UPDATE" in statement  # a lock outlives no statement in autocommit
        or " FOR NO KEY UPDATE" in statement
    ):
        raise ReadOnlyViolation(f"a write in a read-only session: {statement[:120]}")


#: PostgreSQL's codes for "no connection" (class 08) and for a server shutting down, crashed
#: or starting up (57P01-57P03); SQLite says it in words
_GONE_SQLSTATES = ("57P01", "57P02", "57P03")
_GONE_WORDS = ("database is locked", "unable to open database file")


def is_unavailable(exc: BaseException) -> bool:
    """Tell whether a database error means "the database cannot be reached right now" (down,
    restarting, refusing connections, the pool exhausted), rather than a fault in the query."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate.startswith("08") or sqlstate in _GONE_SQLSTATES
    text = str(exc.orig).lower()
    if "sqlite" in type(exc.orig).__module__:
        return any(words in text for words in _GONE_WORDS)
    return True  # a driver error without a code: the connection failed or broke


def one_line(exc: BaseException) -> str:
    """An error as one short line for a log (a database error's first line, no SQL)."""
    found = getattr(exc, "orig", None) or exc
    first = (str(found).strip().splitlines() or [""])[0]
    return f"{type(found).__name__}: {first}"[:300]


#: a row of one column: outer-join a few rows (or none) to it, and the scalar subqueries beside
#: them come along when there are none (a page panel's count and list in one statement)
ONE_ROW = select(literal(1).label("one")).subquery("one")


def bounded(query: Select, name: str = "batch") -> CTE:
    """At most ``query``'s LIMIT rows, however the planner joins them: a CTE that PostgreSQL
    materialises (runs once). ``UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP
    LOCKED)`` is not: with a nested-loop semi join PostgreSQL runs the subquery again for
    every outer row, and each run skips the rows the previous ones locked, so the "batch"
    becomes the whole table."""
    return query.cte(name).prefix_with("MATERIALIZED", dialect="postgresql")


def try_lock(session: Session, name: str) -> bool:
    """Take a lock named ``name`` for the rest of the session's transaction, if free.

    PostgreSQL: an advisory transaction lock (False when another transaction holds it).
    SQLite lets one writer at a time anyway: always True.
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = select(func.pg_try_advisory_xact_lock(func.hashtext(name)))
    return bool(session.scalar(key))


def insert_new(session: Session, table: Table, rows: list[dict], key: str) -> None:
    """Insert rows whose ``key`` is not taken yet; a key another writer stored first (even
    meanwhile, in a transaction not yet committed) is left as that writer stored it."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement: Insert
    if dialect == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=[key])
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=[key])
    else:  # pragma: no cover - only the two databases are supported
        statement = insert(table)
    session.connection().execute(statement, rows)
