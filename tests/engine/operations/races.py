"""Two sessions acting at the same moment, for real: threads, connections and commits.

Used by the concurrency tests on SQLite and PostgreSQL (``committed_engine``); committed rows
stay in that test database, so every test makes its own initiative.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import event
from sqlalchemy.orm import Session

from engine.db import unit_of_work

WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")
#: how an operation takes an initiative's lock on PostgreSQL (engine.operations.common)
LOCKS = ("FOR UPDATE", "FOR NO KEY UPDATE")


def _writes(statement: str) -> bool:
    """A statement that writes, or takes a lock to write: the point to hold a thread at."""
    text = statement.lstrip().upper()
    return text.startswith(WRITES) or any(lock in text for lock in LOCKS)


def race(
    engine,
    factory,
    work: Callable[[Session, int], object],
    count: int = 2,
    late: Mapping[int, float] | None = None,
) -> list[object]:
    """Run ``work(session, index)`` in ``count`` threads; all finish reading before any writes.

    A barrier holds each thread at its first write statement (or lock to write), so each has
    made the checks it makes before that on the same state; then they race to write and
    commit, each in its own :func:`~engine.db.unit_of_work`; ``late`` holds a thread back
    that many seconds more, to decide who goes first. Returns "ok" or the exception, per thread.
    """
    barrier = threading.Barrier(count, timeout=30)
    armed = threading.local()

    def hold_first_write(conn, cursor, statement, parameters, context, executemany):
        if getattr(armed, "on", False) and _writes(statement):
            armed.on = False
            barrier.wait()
            time.sleep((late or {}).get(armed.index, 0))

    results: list[object] = [None] * count

    def worker(index: int) -> None:
        try:
            with unit_of_work(factory) as s:
                armed.on, armed.index = True, index
                work(s, index)
            results[index] = "ok"
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            results[index] = exc
            barrier.abort()

    event.listen(engine, "before_cursor_execute", hold_first_write)
    try:
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
    finally:
        event.remove(engine, "before_cursor_execute", hold_first_write)
    return results


def outcome(results: Sequence[object]) -> list[str]:
    """The results by kind, sorted: e.g. ``["Conflict", "ok"]``."""
    return sorted(r if r == "ok" else type(r).__name__ for r in results)


def one_winner(results: Sequence[object]) -> object:
    """Assert one "ok" and one Conflict; return the Conflict."""
    assert outcome(results) == ["Conflict", "ok"], results
    return next(r for r in results if r != "ok")


def all_win(results: Sequence[object]) -> None:
    assert outcome(results) == ["ok"] * len(results), results
