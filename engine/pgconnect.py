"""How the engine's PostgreSQL connections (psycopg 3) save the web process work.

Each part saves work done for every statement or every request, paid in the web process's CPU
(on PostgreSQL a statement cost the web process ~0.1 ms more than on SQLite, issue 17).

**A cursor that describes its result only when the description is read.** psycopg builds
``cursor.description`` anew on every read: one ``Column`` per column, each decoding its name
and looking up its type. SQLAlchemy reads it after every statement, but once a statement's
compiled form has run it only asks whether there is a result at all (it uses the column
information it cached the first time). On an initiative's page that was some 370 ``Column``
objects per move for nothing. :class:`LeanCursor` answers with a sequence of the right length
that builds the same ``Column`` objects, from the same result, when an item is first read.

**A pooled connection is asked whether it still lives only when it may not.** SQLAlchemy's
``pool_pre_ping`` sends a statement to the server at every checkout: three round trips per move
through the site (the sign-in, the move, the page after it). :func:`ping_when_in_doubt` asks
only when the connection has been idle for :data:`IDLE_PING_SECONDS`, or when its socket can be
read while no statement is running: a server that restarts or ends a session says goodbye (or
closes the connection) at once, so a pooled connection to it is readable. Then the ping, and
if it fails the pool drops the connection and takes a fresh one (SQLAlchemy's pessimistic
disconnect handling: ``DisconnectionError`` raised in the ``checkout`` event).
"""

from __future__ import annotations

import select
import time
from collections.abc import Iterator, Sequence
from typing import Any, overload

import psycopg
from psycopg.pq import ExecStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

_WITH_TUPLES = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class _ResultOf:
    """What ``psycopg.Column`` reads from its cursor, kept from the result described."""

    __slots__ = ("pgresult", "_encoding", "adapters")

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self.pgresult = cursor.pgresult
        self._encoding = cursor._encoding
        self.adapters = cursor.adapters


class LazyDescription(Sequence[psycopg.Column]):
    """``cursor.description`` as psycopg gives it, built on first use."""

    __slots__ = ("_source", "_length", "_columns")

    def __init__(self, source: _ResultOf, length: int) -> None:
        self._source = source
        self._length = length
        self._columns: list[psycopg.Column] | None = None

    def _built(self) -> list[psycopg.Column]:
        if self._columns is None:
            source: Any = self._source
            self._columns = [psycopg.Column(source, i) for i in range(self._length)]
        return self._columns

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> psycopg.Column: ...
    @overload
    def __getitem__(self, index: slice) -> list[psycopg.Column]: ...
    def __getitem__(self, index: int | slice) -> psycopg.Column | list[psycopg.Column]:
        return self._built()[index]

    def __iter__(self) -> Iterator[psycopg.Column]:
        return iter(self._built())

    def __repr__(self) -> str:
        return repr(self._built())


class LeanCursor(psycopg.Cursor[Any]):
    """A ``psycopg.Cursor`` whose ``description`` is a :class:`LazyDescription`."""

    @property
    def description(self) -> LazyDescription | None:  # type: ignore[override]
        res = self.pgresult
        if res and (res.nfields or res.status in _WITH_TUPLES):
            return LazyDescription(_ResultOf(self), res.nfields)
        return None


#: a connection idle longer than this is pinged at checkout whatever its socket says (a firewall
#: may drop an idle connection without a word)
IDLE_PING_SECONDS = 30.0
_IDLE_SINCE = "verbinding idle since"


def _says_something(dbapi_connection: Any) -> bool:
    """Whether the server wrote to (or closed) an idle connection: a goodbye, an end of file."""
    try:
        fd = dbapi_connection.pgconn.socket
    except psycopg.OperationalError:  # closed on our side already
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def ping_when_in_doubt(engine: Engine) -> None:
    """Check a pooled connection at checkout only when it may have died (see the module)."""

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle = time.monotonic() - record.info.get(_IDLE_SINCE, 0.0)
        if idle < IDLE_PING_SECONDS and not _says_something(dbapi_connection):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc
