"""Is this site ready to serve? What ``/readyz`` answers, and the scheduler's heartbeat.

Five checks, each with what it found: the database answers; its schema is at the newest
migration (or newer: a rolling upgrade's new code migrated it); a scheduler finished a sweep
less than three of its sweep intervals ago (a dead or stuck scheduler sends no reminders and
no mail); the outbox's backlog and failures are under their limits
(``VERBINDING_READY_OUTBOX_*``); the uploads' folder or bucket answers. Nothing here needs
Flask.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, delete, func, literal_column, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from engine.config import Config
from engine.db import one_line
from engine.models import OutboxMessage
from engine.models.heartbeats import Heartbeat
from engine.storage import Storage

log = logging.getLogger(__name__)

#: a heartbeat older than this many sweep intervals means the scheduler is not sweeping
MISSED_SWEEPS = 3
#: failed mail counts over this window
FAILED_WINDOW = timedelta(hours=24)
#: a process's row goes when it has not beaten for this long (a process stopped for good)
FORGET_AFTER = timedelta(days=1)


def process_name() -> str:
    return f"scheduler@{socket.gethostname()}:{os.getpid()}"[:200]


def beat(
    sessions: sessionmaker[Session], now: datetime, *, seconds: int, sweep_ms: int,
    process: str | None = None,
) -> None:  # fmt: skip
    """Note that this scheduler process finished a sweep at ``now`` (a wall-clock moment)."""
    values = {"beat_dt": now, "sweep_seconds": seconds, "sweep_ms": sweep_ms}
    name = process or process_name()
    with sessions() as session:
        done = session.execute(update(Heartbeat).where(Heartbeat.process == name).values(**values))
        if done.rowcount == 0:  # type: ignore[attr-defined]
            session.add(Heartbeat(process=name, **values))
            session.execute(delete(Heartbeat).where(Heartbeat.beat_dt < now - FORGET_AFTER))
        session.commit()


def newest_heartbeat(session: Session) -> Heartbeat | None:
    return session.scalars(select(Heartbeat).order_by(Heartbeat.beat_dt.desc()).limit(1)).first()


def outbox_counts(session: Session, now: datetime, *, limit: int | None) -> tuple[int, int]:
    """Mails due and not sent, and mails failed for good of those due in the last 24 hours;
    each counted up to ``limit + 1`` at most (enough to say "over the limit")."""
    o = OutboxMessage

    def count(*where) -> int:
        rows: Select[Any] = select(literal_column("1")).select_from(o).where(*where)
        if limit is not None:
            rows = rows.limit(limit + 1)
        return session.scalar(select(func.count()).select_from(rows.subquery())) or 0

    backlog = count(
        o.status.in_(("pending", "sending")), o.next_attempt_dt <= now
    )  # fmt: skip
    failed = count(o.status == "failed", o.next_attempt_dt >= now - FAILED_WINDOW)
    return backlog, failed


@cache
def migration_head() -> tuple[str, ...]:
    """The newest revision(s) the installed package's migrations reach."""
    from alembic.script import ScriptDirectory

    from engine.migrate import alembic_config

    return tuple(sorted(ScriptDirectory.from_config(alembic_config("")).get_heads()))


def newer_than_code(current: tuple[str, ...]) -> bool:
    """Whether the database is at revisions this package does not know: a newer version's
    ``verbinding init`` has migrated it while this one still serves (a rolling upgrade,
    docs/deploy.md). Only additive migrations are applied that way, so this version serves on."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from engine.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config(""))
    for revision in current:
        try:
            script.get_revision(revision)
        except CommandError:
            continue
        return False
    return bool(current)


@dataclass
class Readiness:
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(c["ok"] for c in self.checks.values())

    @property
    def failed(self) -> list[str]:
        return [name for name, c in self.checks.items() if not c["ok"]]

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ready" if self.ready else "not ready",
            "failed": self.failed,
            "checks": self.checks,
        }


def readiness(
    sessions: sessionmaker[Session],
    config: Config,
    now: datetime,
    storage: Storage | None = None,
) -> Readiness:
    """Run every check; one that cannot be run (the database is away) counts as failed. With
    ``storage``, the uploads' store answers too (a bucket that is gone fails every upload)."""
    from alembic.runtime.migration import MigrationContext

    found = Readiness()
    try:
        with sessions() as session:
            session.execute(text("select 1"))
            found.checks["database"] = {"ok": True}
            current = tuple(
                sorted(MigrationContext.configure(session.connection()).get_current_heads())
            )
            head = migration_head()
            found.checks["migrations"] = {
                "ok": current == head, "database": list(current), "code": list(head),
            }  # fmt: skip
            if current != head and newer_than_code(current):
                found.checks["migrations"].update(ok=True, newer=True)
            if found.checks["migrations"]["ok"]:
                _scheduler(found, session, config, now)
                _outbox(found, session, config, now)
    except Exception as exc:  # noqa: BLE001 - a check that cannot run is a failed check
        name = next(
            (n for n in ("database", "migrations", "scheduler", "outbox") if n not in found.checks),
            "database",
        )
        found.checks[name] = {"ok": False, "error": one_line(exc)[:300]}
        log.warning("readyz: %s check failed: %s", name, one_line(exc))
    if storage is not None:
        try:
            storage.ping()
            found.checks["storage"] = {"ok": True}
        except Exception:  # noqa: BLE001 - the store logs what failed; no address in public
            found.checks["storage"] = {"ok": False, "error": "the upload store does not answer"}
    return found


def _scheduler(found: Readiness, session: Session, config: Config, now: datetime) -> None:
    if not config.ready_scheduler:
        found.checks["scheduler"] = {"ok": True, "checked": False}
        return
    newest = newest_heartbeat(session)
    if newest is None:
        found.checks["scheduler"] = {"ok": False, "error": "no scheduler has swept yet"}
        return
    age = (now - newest.beat_dt) / timedelta(seconds=1)
    most = MISSED_SWEEPS * newest.sweep_seconds
    found.checks["scheduler"] = {
        "ok": age < most,
        "heartbeat_age_seconds": round(age, 1),
        "max_age_seconds": most,
        "process": newest.process,
    }


def _outbox(found: Readiness, session: Session, config: Config, now: datetime) -> None:
    most_backlog, most_failed = config.ready_outbox_backlog, config.ready_outbox_failed
    backlog, failed = outbox_counts(session, now, limit=max(most_backlog, most_failed))
    found.checks["outbox"] = {
        "ok": backlog <= most_backlog and failed <= most_failed,
        "backlog": backlog,
        "max_backlog": most_backlog,
        "failed_24h": failed,
        "max_failed_24h": most_failed,
    }
