"""Fault tests: real ``verbinding`` processes on a real PostgreSQL, and an SMTP sink that can be
slow, refuse, hang up after DATA, or be away.

They run in a step of their own (``pytest -m faults``, after the main run in ``.ci/run``); the
main run deselects them (pyproject.toml). Each is sized for CI and bounded in time, with a
short mail lease (``VERBINDING_MAIL_LEASE_SECONDS``) so that recovery is quick to watch; the
full-size runs are ``benchmarks/bench_mail_faults.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from engine.config import load_config
from engine.db import make_engine, make_session_factory, utcnow
from engine.migrate import upgrade_engine
from engine.models import OutboxMessage
from engine.models.reminders import Reminder
from engine.operations import add_step
from engine.timeutil import local_date
from engine.workflows.versions import sync_workflows
from tests import factories
from tests.conftest import PG_PROBLEM, PG_URL, TEST_WORKFLOWS, pg_database_url, seed_places
from tests.support import SmtpServer

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60.0
#: reminders go out at local midnight in these tests: whatever is planned for today is due now
SETTINGS = {"VERBINDING_REMINDER_HOUR": "0"}


@contextmanager
def prepared_fault_database(url: str, now: datetime) -> Iterator[tuple[Engine, Session]]:
    """Migrate the database at ``url``, register the test templates and seed the wijken; yield
    its engine and a session to fill it with, committed when the block ends."""
    engine = make_engine(url)
    upgrade_engine(engine)
    with make_session_factory(engine, load_config(SETTINGS))() as s:
        sync_workflows(s, now, TEST_WORKFLOWS)
        seed_places(s)
        yield engine, s
        s.commit()


def fill(url: str, groups: int) -> Engine:
    """Prepare the database at ``url`` and give it ``groups`` groups of two residents, each
    with a step due today: ``2 * groups`` reminders due now."""
    now = utcnow()
    with prepared_fault_database(url, now) as (engine, s):
        for n in range(groups):
            item = factories.initiative(s, now, members=1, title=f"Buurtgroep {n}")
            anna = item.memberships[0].person
            add_step(s, anna, item.id, stage_key="proposal", title=f"Stap {n}",
                     due_date=local_date(now), now=now)  # fmt: skip
    return engine


GROUPS = 8


@pytest.fixture(scope="session")
def filled_template():
    """One database filled once (``GROUPS`` groups), which each test copies: PostgreSQL copies a
    template database in a fraction of the time migrating and filling a new one takes."""
    if PG_PROBLEM:
        pytest.skip(f"PostgreSQL not reachable: {PG_PROBLEM}")
    url = pg_database_url("faults_template")
    fill(url, GROUPS).dispose()  # no connection may stay open on a template
    yield url.rsplit("/", 1)[1]
    _admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _admin(statement: str) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(statement))
    admin.dispose()


@pytest.fixture
def database(filled_template, tmp_path):
    """A fresh copy of the filled database: ``2 * GROUPS`` reminders due now."""
    url = pg_database_url("faults")
    name = url.rsplit("/", 1)[1]
    _admin(f'DROP DATABASE "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{filled_template}"')
    engine = make_engine(url)
    yield engine, url, tmp_path, 2 * GROUPS
    engine.dispose()


def env_for(url: str, smtp: SmtpServer, instance: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERBINDING_")}
    env.update(
        VERBINDING_DATABASE_URL=url,
        VERBINDING_SMTP_URL=smtp.url,
        VERBINDING_INSTANCE_PATH=str(instance),
        VERBINDING_SECRET_KEY="proces-test",
        VERBINDING_BASE_URL="https://verbinding.test",
        VERBINDING_SWEEP_SECONDS="1",
        PYTHONPATH=str(ROOT),
        **SETTINGS,
        **extra,
    )
    return env


def start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "engine", *args], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def wait_until(predicate: Callable[[], bool], timeout: float = TIMEOUT, what: str = "") -> float:
    """Wait for ``predicate``; return how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout}s: {what}")


def stop(*processes: subprocess.Popen, sig=signal.SIGTERM) -> list[str]:
    """Signal every process first, then collect each one's output (they stop side by side)."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(sig)
    outputs = []
    for process in processes:
        try:
            output, _ = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        outputs.append(output or "")
    return outputs


def stored(engine: Engine) -> tuple[Counter, set[str], int]:
    """The reminders due today by status, the outbox's Message-IDs, and how many were sent."""
    with make_session_factory(engine, load_config(SETTINGS))() as s:
        statuses = Counter(dict(s.execute(
            select(Reminder.status, func.count()).where(Reminder.offset_days == 0)
            .group_by(Reminder.status)).all()))  # fmt: skip
        ids = set(s.scalars(select(OutboxMessage.message_id)))
        sent = s.scalar(select(func.count()).where(OutboxMessage.status == "sent"))
    return statuses, ids, sent or 0


def received(smtp: SmtpServer, reminders_only: bool = False) -> Counter:
    """The Message-IDs the SMTP server took, each with how often (``reminders_only``: of the
    reminder mails alone, not the confirmations that registering under load sends too)."""
    return Counter(
        str(m["Message-ID"])
        for m in smtp.messages
        if not reminders_only or "<reminders." in str(m["List-Id"] or "")
    )


def stored_reminders(engine: Engine) -> tuple[Counter, set[str], int]:
    """As :func:`stored`, for the outbox rows that carry the reminders due today only."""
    with make_session_factory(engine, load_config(SETTINGS))() as s:
        statuses = Counter(dict(s.execute(
            select(Reminder.status, func.count()).where(Reminder.offset_days == 0)
            .group_by(Reminder.status)).all()))  # fmt: skip
        rows = s.execute(
            select(OutboxMessage.message_id, OutboxMessage.status)
            .join(Reminder, Reminder.outbox_id == OutboxMessage.id)
            .where(Reminder.offset_days == 0)
            .distinct()
        ).all()
    return statuses, {r.message_id for r in rows}, sum(r.status == "sent" for r in rows)
