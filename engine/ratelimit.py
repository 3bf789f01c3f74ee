"""Rate limits that hold across web workers: a counter per key and fixed window, in the database.

One upsert counts a use and returns the new count, atomically on SQLite and PostgreSQL, so two
workers never both let the eleventh attempt through. A key names the action and who acts: an
account, a typed e-mail address or a client address.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, cast

from sqlalchemy import BigInteger, CursorResult, bindparam, case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.models import RateLimit

log = logging.getLogger(__name__)

#: (count, seconds): at most ``count`` uses per window of ``seconds``
Limit = tuple[int, int]
MAX_KEY = 300


def window_start(now: datetime, seconds: int) -> int:
    stamp = int(now.timestamp())
    return stamp - stamp % seconds


def _upsert(insert: Any) -> Any:
    """Count one use of a key in its window (``key``, ``start``), returning the new count."""
    start = bindparam("start", type_=BigInteger())
    return (
        insert(RateLimit)
        .values(key=bindparam("key"), window_start=start, hits=1)
        .on_conflict_do_update(
            index_elements=[RateLimit.key],
            set_={
                # both expressions read the row as it was (SQL evaluates SET on the old row)
                "hits": case((RateLimit.window_start == start, RateLimit.hits + 1), else_=1),
                "window_start": start,
            },
        )
        .returning(RateLimit.hits)
    )


#: the upsert per dialect, built once (every POST counts two keys)
_UPSERTS = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}


def hit(session: Session, key: str, limit: Limit, now: datetime) -> int | None:
    """Count one use of ``key``; return the seconds to wait when it went over, else None."""
    count, seconds = limit
    start = window_start(now, seconds)
    dialect = session.get_bind().dialect.name
    statement = _UPSERTS["postgresql" if dialect == "postgresql" else "sqlite"]
    hits = session.execute(statement, {"key": key[:MAX_KEY], "start": start}).scalar_one()
    if hits <= count:
        return None
    wait = max(start + seconds - int(now.timestamp()), 1)
    if hits == count + 1:
        log.warning("rate limit reached: %s (%s per %s s); %s s to wait", key, count, seconds, wait)
    return wait


def forget(session: Session, key: str) -> None:
    """Start a key's count afresh (a successful sign-in clears the account's wrong attempts)."""
    session.execute(delete(RateLimit).where(RateLimit.key == key[:MAX_KEY]))


def forget_old(session: Session, now: datetime, older_than_seconds: int) -> int:
    """Delete counters whose window ended long ago (the sweeper keeps the table small)."""
    cutoff = int(now.timestamp()) - older_than_seconds
    result = session.execute(delete(RateLimit).where(RateLimit.window_start < cutoff))
    return cast(CursorResult, result).rowcount or 0
