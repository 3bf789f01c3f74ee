"""Rate limits that hold across web workers: a counter per key and fixed window, in the database.

One upsert counts a use and returns the new count, atomically on SQLite and PostgreSQL, so two
workers never both let the eleventh attempt through. A key names the action and who acts: an
account, a typed e-mail address or a client address.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    CursorResult,
    Integer,
    String,
    bindparam,
    case,
    delete,
    literal,
    select,
    true,
    union_all,
)
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


@lru_cache(maxsize=16)
def _upsert(dialect: str, keys: int) -> Any:
    """Count one use of each of ``keys`` keys (``key0``, ``key1`` …) in their window
    (``start``), returning each key's new count: one statement, built once per shape."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    start = bindparam("start", type_=BigInteger())
    # INSERT … SELECT, not a multi-row VALUES: SQLAlchemy caches the compiled form of this one
    # (a VALUES list it compiled anew for every form sent, 0.35 ms). SQLite needs the WHERE
    # to read the ON CONFLICT after the SELECT as the upsert's.
    rows = union_all(
        *[
            select(bindparam(f"key{i}", type_=String()), start, literal(1, Integer())).where(true())
            for i in range(keys)
        ]
    )
    statement = insert(RateLimit).from_select(["key", "window_start", "hits"], rows)
    return statement.on_conflict_do_update(
        index_elements=[RateLimit.key],
        set_={
            # both expressions read the row as it was (SQL evaluates SET on the old row)
            "hits": case((RateLimit.window_start == start, RateLimit.hits + 1), else_=1),
            "window_start": start,
        },
    ).returning(RateLimit.key, RateLimit.hits)


def hit_all(session: Session, limits: Mapping[str, Limit], now: datetime) -> int | None:
    """Count one use of each key, in one statement for the keys whose windows are as long (a
    form counts its account and its client address); return the seconds to wait when one went
    over its limit (the longest wait), else None."""
    windows: dict[int, dict[str, int]] = {}
    for key, (count, seconds) in limits.items():
        keyed = windows.setdefault(seconds, {})
        short = key[:MAX_KEY]  # two keys cut to the same: counted once, by the stricter limit
        keyed[short] = min(count, keyed.get(short, count))
    dialect = "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"
    waits = []
    for seconds, counts in windows.items():
        start = window_start(now, seconds)
        params: dict[str, Any] = {f"key{i}": key for i, key in enumerate(counts)}
        params["start"] = start
        for key, hits in session.connection().execute(_upsert(dialect, len(counts)), params):
            count = counts[key]
            if hits <= count:
                continue
            wait = max(start + seconds - int(now.timestamp()), 1)
            if hits == count + 1:
                log.warning(
                    "rate limit reached: %s (%s per %s s); %s s to wait", key, count, seconds, wait
                )
            waits.append(wait)
    return max(waits, default=None)


def hit(session: Session, key: str, limit: Limit, now: datetime) -> int | None:
    """Count one use of ``key``; return the seconds to wait when it went over, else None."""
    return hit_all(session, {key: limit}, now)


def forget(session: Session, key: str) -> None:
    """Start a key's count afresh (a successful sign-in clears the account's wrong attempts)."""
    session.execute(delete(RateLimit).where(RateLimit.key == key[:MAX_KEY]))


def forget_old(session: Session, now: datetime, older_than_seconds: int) -> int:
    """Delete counters whose window ended long ago (the sweeper keeps the table small)."""
    cutoff = int(now.timestamp()) - older_than_seconds
    result = session.execute(delete(RateLimit).where(RateLimit.window_start < cutoff))
    return cast(CursorResult, result).rowcount or 0
