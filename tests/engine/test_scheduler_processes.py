"""Real processes on a real PostgreSQL and a real SMTP server: every reminder exactly once.

Two ``verbinding scheduler`` processes sweep the same database at once; a ``reminders tick``
is killed (SIGKILL) while it sends to a slow server, and the next tick finishes the job. Each
test is bounded in time and stops every process it started.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from engine.config import load_config
from engine.db import make_engine, make_session_factory, utcnow
from engine.migrate import upgrade_engine
from engine.models import OutboxMessage
from engine.models.reminders import Reminder
from engine.operations import add_step
from engine.timeutil import local_date
from engine.workflows.versions import sync_workflows
from tests import factories
from tests.conftest import PG_PROBLEM, TEST_WORKFLOWS, pg_database_url, seed_places
from tests.support import SmtpServer, _Collector, free_port

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
GROUPS = 30  # two residents each: 60 reminders due
TIMEOUT = 60.0


class _SlowCollector(_Collector):
    delay = 0.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def smtp_server(delay: float = 0.0) -> SmtpServer:
    server = SmtpServer.__new__(SmtpServer)  # like SmtpServer(), with a slow handler
    server.port = free_port()
    server.handler = _SlowCollector()
    server.handler.delay = delay
    server.controller = Controller(server.handler, hostname="127.0.0.1", port=server.port)
    return server.start()


@pytest.fixture
def database(tmp_path):
    """A fresh PostgreSQL database with 60 reminders due now (reminders go out at 00:00)."""
    if PG_PROBLEM:
        pytest.skip(f"PostgreSQL not reachable: {PG_PROBLEM}")
    url = pg_database_url("procs")
    engine = make_engine(url)
    upgrade_engine(engine)
    now = utcnow()
    config = load_config({"VERBINDING_REMINDER_HOUR": "0"})  # like the processes below
    with make_session_factory(engine, config)() as s:
        sync_workflows(s, now, TEST_WORKFLOWS)
        seed_places(s)
        for n in range(GROUPS):
            item = factories.initiative(s, now, members=1, title=f"Buurtgroep {n}")
            anna = item.memberships[0].person
            add_step(s, anna, item.id, stage_key="proposal", title=f"Stap {n}",
                     due_date=local_date(now), now=now)  # fmt: skip
        s.commit()
    yield engine, url, tmp_path
    engine.dispose()


def env_for(url: str, smtp: SmtpServer, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERBINDING_")}
    env.update(
        VERBINDING_DATABASE_URL=url,
        VERBINDING_SMTP_URL=smtp.url,
        VERBINDING_INSTANCE_PATH=str(instance),
        VERBINDING_SECRET_KEY="proces-test",
        VERBINDING_BASE_URL="https://verbinding.test",
        VERBINDING_REMINDER_HOUR="0",
        VERBINDING_SWEEP_SECONDS="1",
        PYTHONPATH=str(ROOT),
    )
    return env


def start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "engine", *args], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def wait_until(predicate, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout}s")


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> str:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""


def stored(engine) -> tuple[Counter, set[str], int]:
    config = load_config({"VERBINDING_REMINDER_HOUR": "0"})  # like the processes below
    with make_session_factory(engine, config)() as s:
        statuses = Counter(dict(s.execute(
            select(Reminder.status, func.count()).where(Reminder.offset_days == 0)
            .group_by(Reminder.status)).all()))  # fmt: skip
        ids = set(s.scalars(select(OutboxMessage.message_id)))
        sent = s.scalar(select(func.count()).where(OutboxMessage.status == "sent"))
    return statuses, ids, sent


def test_two_scheduler_processes_deliver_every_reminder_exactly_once(database):
    engine, url, tmp = database
    smtp = smtp_server(delay=0.01)
    env = env_for(url, smtp, tmp)
    processes = [start(env, "scheduler"), start(env, "scheduler")]
    try:
        wait_until(lambda: len(smtp.messages) >= 2 * GROUPS)
        time.sleep(2.5)  # more sweeps of both: nothing further may arrive
    finally:
        outputs = [stop(p) for p in processes]
        smtp.stop()
    received = Counter(m["Message-ID"] for m in smtp.messages)
    assert len(smtp.messages) == 2 * GROUPS, outputs
    assert set(received.values()) == {1}
    statuses, ids, sent = stored(engine)
    assert statuses == Counter({"sent": 2 * GROUPS})
    assert set(received) == ids and sent == 2 * GROUPS


def test_a_scheduler_killed_mid_dispatch_loses_nothing_and_duplicates_nothing(database):
    engine, url, tmp = database
    slow = smtp_server(delay=0.15)
    env = env_for(url, slow, tmp)
    tick = start(env, "reminders", "tick")
    try:
        wait_until(lambda: len(slow.messages) >= 5)
    finally:
        stop(tick, signal.SIGKILL)
        slow.stop()
    first = [m["Message-ID"] for m in slow.messages]
    assert 5 <= len(first) < 2 * GROUPS  # killed halfway
    statuses, _, _ = stored(engine)
    assert statuses == Counter({"sent": 2 * GROUPS})  # every reminder is in the outbox

    fast = smtp_server()
    try:
        later = (utcnow() + timedelta(minutes=6)).isoformat()  # the dead claim has lapsed
        again = start(env_for(url, fast, tmp), "reminders", "tick", "--now", later)
        output = stop_after(again)
        assert again.returncode == 0, output
    finally:
        fast.stop()
    received = Counter(first + [m["Message-ID"] for m in fast.messages])
    statuses, ids, sent = stored(engine)
    assert set(received) == ids and len(ids) == 2 * GROUPS and sent == 2 * GROUPS
    # at most the one in flight at the kill arrives twice, and then with the same Message-ID
    assert sum(received.values()) - len(received) <= 1


def stop_after(process: subprocess.Popen) -> str:
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""
