"""Mail under faults at full size (issue 18): real scheduler processes, a PostgreSQL cluster of
its own, an aiosmtpd sink. Prints the figures BENCHMARKS.md reports.

    python benchmarks/bench_mail_faults.py [--reminders 10000] [--lease 60] [--sweep 15]
        [--outage 120] [--slow-mails 157] [--slow-seconds 3.5] [--only claims two kill …]

The fault tests (tests/faults, ``pytest -m faults``) are the same scenarios, small. Here every
scenario starts from a fresh copy of one filled database (``--reminders`` due now: 100 groups
of 100 residents, each group with a step due today) on a cluster started with autovacuum off,
so no table has statistics, as on a fresh install:

  claims   the first claims on the un-analysed tables: the reminders' claim (batch 500) and the
           outbox's (batch 100), and, for comparison, the old form ``id IN (SELECT … LIMIT n
           FOR UPDATE SKIP LOCKED)`` on the same rows
  two      two schedulers, a fast server: every reminder once; how long
  kill     a scheduler SIGKILLed mid-delivery, another started at once: lost, doubled, how
           long after the kill until every mail went out
  outage   the server away for --outage seconds, then back: how long after its return
  slow     two schedulers, a server taking --slow-seconds a message, --slow-mails mails
  restart  PostgreSQL stopped (fast) for 5 s while two schedulers deliver

Exit status 0 when no scenario lost a reminder and none doubled one beyond the window
docs/mail.md states (one message in flight per process that died or lost the database).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import func, insert, literal_column, select, update  # noqa: E402

from engine.config import load_config  # noqa: E402
from engine.db import make_engine, make_session_factory, utcnow  # noqa: E402
from engine.mail.delivery import claim as claim_mail  # noqa: E402
from engine.migrate import upgrade_engine  # noqa: E402
from engine.models import Membership, OutboxMessage, Person  # noqa: E402
from engine.models.reminders import Reminder  # noqa: E402
from engine.operations import add_step  # noqa: E402
from engine.reminders.dispatcher import claim as claim_reminders  # noqa: E402
from engine.reminders.steps import dispatch_due  # noqa: E402
from engine.runtime import Runtime  # noqa: E402
from engine.timeutil import local_date  # noqa: E402
from engine.workflows.versions import sync_workflows  # noqa: E402
from tests import factories  # noqa: E402
from tests.conftest import TEST_WORKFLOWS, seed_places  # noqa: E402
from tests.faults.pgcluster import Cluster, postgres_bin  # noqa: E402
from tests.support import SmtpServer, _Collector  # noqa: E402

SETTINGS = {"VERBINDING_REMINDER_HOUR": "0"}  # whatever is planned for today is due now
GROUP = 100
MESSAGE_ID = re.compile(rb"^Message-ID: *(<[^>]+>)", re.MULTILINE | re.IGNORECASE)


class _Tally(_Collector):
    """The tests' sink (slow, hanging up, away) keeping only each message's Message-ID: parsing
    10,000 messages in this process would slow the sink and the count more than the app."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        if self.delay:
            await asyncio.sleep(self.delay)
        found = MESSAGE_ID.search(envelope.content)
        with self.lock:
            self.ids.append(found.group(1).decode() if found else "")
        return "250 OK"

    def reset(self) -> None:
        super().reset()
        self.ids: list[str] = []


class TooSlow(Exception):
    """A scenario did not get as far as it should within its time (a loaded machine): the
    run reports what it got and goes on with the next scenario."""


#: what the running scenario started (its schedulers, its sinks): stopped however it ends
_PROCESSES: list[subprocess.Popen] = []
_SINKS: list[SmtpServer] = []


def sink() -> SmtpServer:
    server = SmtpServer()
    server.handler = _Tally()
    server.controller = Controller(server.handler, hostname="127.0.0.1", port=server.port)
    _SINKS.append(server)
    return server


def _clean_up() -> None:
    """Stop what the scenario left running (it ended early): its schedulers, its sinks."""
    stop(*[p for p in _PROCESSES if p.poll() is None])
    for server in _SINKS:
        try:
            server.stop()
        except Exception:  # noqa: BLE001 - never started, or stopped already
            pass
    _PROCESSES.clear()
    _SINKS.clear()


def received(smtp: SmtpServer) -> Counter:
    with smtp.handler.lock:
        return Counter(smtp.handler.ids)  # type: ignore[attr-defined]


@dataclass
class Bench:
    cluster: Cluster
    template: str
    total: int
    args: argparse.Namespace
    tmp: Path
    copies: int = 0

    def fresh(self) -> str:
        """A new database copied from the filled one."""
        self.copies += 1
        return self.cluster.create_database(f"scenario{self.copies}", self.template)

    def env(self, url: str, smtp: SmtpServer) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VERBINDING_")}
        env.update(
            VERBINDING_DATABASE_URL=url,
            VERBINDING_SMTP_URL=smtp.url,
            VERBINDING_INSTANCE_PATH=str(self.tmp),
            VERBINDING_SECRET_KEY="bench",
            VERBINDING_BASE_URL="https://verbinding.test",
            VERBINDING_SWEEP_SECONDS=str(self.args.sweep),
            VERBINDING_MAIL_LEASE_SECONDS=str(self.args.lease),
            PYTHONPATH=str(ROOT),
            **SETTINGS,
        )
        return env


def fill(url: str, total: int) -> None:
    """``total`` reminders due now: groups of 100 (an initiator and 99 residents), each with a
    step without owner due today, planned by the real operation."""
    engine = make_engine(url)
    upgrade_engine(engine)
    now = utcnow()
    with make_session_factory(engine, load_config(SETTINGS))() as s:
        sync_workflows(s, now, TEST_WORKFLOWS)
        seed_places(s)
        groups = [factories.initiative(s, now, title=f"Buurt {g}") for g in range(total // GROUP)]
        s.flush()
        people = s.execute(insert(Person).returning(Person.id), [
            {"email": f"lid{i}@example.nl", "name": f"Bewoner {i}", "locale": "nl" if i % 3
             else "en", "role": "resident", "is_active": True, "created_dt": now}
            for i in range(len(groups) * (GROUP - 1))
        ]).scalars().all()  # fmt: skip
        s.execute(insert(Membership), [
            {"initiative_id": item.id, "person_id": pid, "role": "member", "joined_dt": now}
            for n, item in enumerate(groups)
            for pid in people[n * (GROUP - 1) : (n + 1) * (GROUP - 1)]
        ])  # fmt: skip
        for item in groups:
            initiator = item.memberships[0].person
            add_step(s, initiator, item.id, stage_key="proposal", title="Folders rondbrengen",
                     due_date=local_date(now), now=now)  # fmt: skip
        s.commit()
    engine.dispose()


def start(env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "scheduler"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    _PROCESSES.append(process)
    return process


def stop(*processes: subprocess.Popen, sig=signal.SIGTERM) -> None:
    for p in processes:
        if p.poll() is None:
            p.send_signal(sig)
    for p in processes:
        try:
            p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()


def wait_until(predicate, timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.5)
    raise TooSlow(f"not within {timeout:.0f} s: {what}")


def unique(smtp: SmtpServer) -> int:
    return len(received(smtp))


def count(smtp: SmtpServer) -> int:
    with smtp.handler.lock:
        return len(smtp.handler.ids)  # type: ignore[attr-defined]


def outcome(url: str, smtp: SmtpServer, total: int, window: int) -> tuple[bool, str]:
    """Lost and doubled, counted: by the sink's Message-IDs against the outbox's."""
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        pending = s.scalar(select(func.count()).where(Reminder.status == "pending",
                                                      Reminder.offset_days == 0))  # fmt: skip
        ids = set(s.scalars(select(OutboxMessage.message_id)))
        sent = s.scalar(select(func.count()).where(OutboxMessage.status == "sent"))
    engine.dispose()
    counts = received(smtp)
    lost = total - len(set(counts) & ids) + (pending or 0)
    doubled = sum(counts.values()) - len(counts)
    ok = lost == 0 and doubled <= window and sent == total
    text = f"lost {lost}, doubled {doubled} (window: at most {window}), outbox sent {sent}"
    return ok, text


def old_claim(session, table, due, order, limit: int) -> int:
    """How many rows the claim of before issue 18 took: ``id IN (… LIMIT n … SKIP LOCKED)``."""
    batch = select(table.c.id).where(table.c.status == literal_column("'pending'"), due)
    batch = batch.order_by(order, table.c.id).limit(limit).with_for_update(skip_locked=True)
    claimed = session.execute(
        update(table).where(table.c.id.in_(batch.scalar_subquery()))
        .values(status=table.c.status).returning(table.c.id)
    ).all()  # fmt: skip
    session.rollback()
    return len(claimed)


def scenario_claims(bench: Bench) -> bool:
    url = bench.fresh()
    config = {
        **SETTINGS,
        "VERBINDING_DATABASE_URL": url,
        "VERBINDING_INSTANCE_PATH": str(bench.tmp),
    }
    runtime = Runtime(load_config(config))
    now = utcnow()
    r, o = Reminder.__table__, OutboxMessage.__table__
    with runtime.sessions() as s:
        old = old_claim(s, r, r.c.due_dt <= now, r.c.due_dt, 500)
        new = len(claim_reminders(s, now, 500))
        s.rollback()
    print(f"  reminders, batch 500: the old form claimed {old:,}, now {new:,}")
    dispatch_due(runtime, now)  # every reminder into the outbox
    with runtime.sessions() as s:
        queued = s.scalar(select(func.count()).select_from(o)) or 0
        old_mail = old_claim(s, o, o.c.next_attempt_dt <= now, o.c.next_attempt_dt, 100)
        new_mail = len(claim_mail(s, now, 100, token="bench")[0])
        s.rollback()
    print(f"  outbox ({queued:,} queued), batch 100: the old form claimed {old_mail:,}, "
          f"now {new_mail:,}")  # fmt: skip
    runtime.close()
    return new == min(500, bench.total) and new_mail == min(100, queued)


def scenario_two(bench: Bench) -> bool:
    url, smtp = bench.fresh(), sink().start()
    env = bench.env(url, smtp)
    processes = [start(env), start(env)]
    took = wait_until(lambda: unique(smtp) >= bench.total, 1800, "every mail")
    time.sleep(2 * bench.args.sweep)
    stop(*processes)
    smtp.stop()
    ok, text = outcome(url, smtp, bench.total, 0)
    print(
        f"  {bench.total:,} mails in {took:.0f} s from the start "
        f"({bench.total / took:.0f}/s, two processes); {text}"
    )
    return ok


def scenario_kill(bench: Bench) -> bool:
    url, smtp = bench.fresh(), sink().start()
    env = bench.env(url, smtp)
    first = start(env)
    wait_until(lambda: count(smtp) >= bench.total // 5, 1800, "a fifth of the mail")
    stop(first, sig=signal.SIGKILL)
    at_kill = count(smtp)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions() as s:  # what the dead scheduler held
        held = list(s.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "sending")))

    def released() -> bool:
        sent = OutboxMessage.status == literal_column("'sent'")
        done = select(func.count()).where(OutboxMessage.id.in_(held), sent)
        with sessions() as s:
            return s.scalar(done) == len(held)

    killed = time.monotonic()
    second = start(env)
    freed = wait_until(released, 1800, "the dead scheduler's mail")
    wait_until(lambda: unique(smtp) >= bench.total, 1800, "every mail after the kill")
    took = time.monotonic() - killed
    engine.dispose()
    time.sleep(2 * bench.args.sweep)
    stop(second)
    smtp.stop()
    ok, text = outcome(url, smtp, bench.total, 1)
    print(f"  killed after {at_kill:,} mails, holding {len(held)}: those went out within "
          f"{freed:.0f} s of the kill (lease {bench.args.lease} s); all {bench.total - at_kill:,} "
          f"left within {took:.0f} s; {text}")  # fmt: skip
    return ok


def scenario_outage(bench: Bench) -> bool:
    url, smtp = bench.fresh(), sink()  # away: nothing listens on its port yet
    env = bench.env(url, smtp)
    scheduler = start(env)
    time.sleep(bench.args.outage)
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        waiting = s.scalar(select(func.count()).where(OutboxMessage.status == "pending"))
        tries = s.scalar(select(func.sum(OutboxMessage.attempts)))
    engine.dispose()
    smtp.start()
    first = wait_until(lambda: count(smtp) >= 1, 600, "the first mail after the return")
    took = wait_until(lambda: unique(smtp) >= bench.total, 1800, "every mail after the return")
    time.sleep(2 * bench.args.sweep)
    stop(scheduler)
    smtp.stop()
    ok, text = outcome(url, smtp, bench.total, 0)
    print(
        f"  away {bench.args.outage} s: {waiting:,} mails waited ({tries or 0} tries used); "
        f"back: first mail after {first:.0f} s, all after {took:.0f} s; {text}"
    )
    return ok


def scenario_slow(bench: Bench) -> bool:
    url, smtp = bench.fresh(), sink().start()
    smtp.handler.delay = bench.args.slow_seconds
    engine = make_engine(url)
    with make_session_factory(engine)() as s:  # only --slow-mails of the reminders are due
        keep = select(Reminder.id).where(Reminder.offset_days == 0).order_by(Reminder.id)
        keep = keep.limit(bench.args.slow_mails).scalar_subquery()
        s.execute(update(Reminder).where(Reminder.offset_days == 0, Reminder.id.not_in(keep))
                  .values(status="skipped"))  # fmt: skip
        s.commit()
    engine.dispose()
    total = bench.args.slow_mails
    env = bench.env(url, smtp)
    processes = [start(env), start(env)]
    took = wait_until(lambda: unique(smtp) >= total, 7200, "every slow mail")
    time.sleep(2 * bench.args.sweep)
    stop(*processes)
    smtp.stop()
    ok, text = outcome(url, smtp, total, 0)
    print(
        f"  {total} mails at {bench.args.slow_seconds} s each, two schedulers, lease "
        f"{bench.args.lease} s: all in {took:.0f} s; {text}"
    )
    return ok


def scenario_restart(bench: Bench) -> bool:
    url, smtp = bench.fresh(), sink().start()
    smtp.handler.delay = 0.002
    env = bench.env(url, smtp)
    processes = [start(env), start(env)]
    wait_until(lambda: count(smtp) >= bench.total // 4, 1800, "a quarter of the mail")
    bench.cluster.stop("fast")
    at_stop = count(smtp)
    time.sleep(5)
    bench.cluster.start()
    took = wait_until(lambda: unique(smtp) >= bench.total, 1800, "every mail after the restart")
    time.sleep(2 * bench.args.sweep)
    alive = sum(p.poll() is None for p in processes)
    stop(*processes)
    smtp.stop()
    ok, text = outcome(url, smtp, bench.total, 2)
    print(
        f"  stopped after {at_stop:,} mails, 5 s down; all within {took:.0f} s of the restart; "
        f"{alive} of 2 schedulers still running; {text}"
    )
    return ok and alive == 2


SCENARIOS = {
    "claims": scenario_claims,
    "two": scenario_two,
    "kill": scenario_kill,
    "outage": scenario_outage,
    "slow": scenario_slow,
    "restart": scenario_restart,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--lease", type=int, default=60)
    parser.add_argument("--sweep", type=int, default=15)
    parser.add_argument("--outage", type=int, default=120)
    parser.add_argument("--slow-mails", type=int, default=157)
    parser.add_argument("--slow-seconds", type=float, default=3.5)
    parser.add_argument("--only", nargs="*", choices=list(SCENARIOS), default=list(SCENARIOS))
    args = parser.parse_args()
    bindir = postgres_bin()
    if bindir is None:
        print("needs PostgreSQL's initdb and pg_ctl")
        return 2
    # autovacuum off: no table ever gets statistics, the planner guesses throughout
    cluster = Cluster(bindir, "-c autovacuum=off").init().start()
    tmp = Path(tempfile.mkdtemp(prefix="verbinding-bench-"))
    try:
        started = time.monotonic()
        template = "filled"
        fill(cluster.create_database(template), args.reminders)
        print(
            f"filled {args.reminders:,} reminders due in {time.monotonic() - started:.0f} s "
            f"(PostgreSQL {bindir.parent.name}, lease {args.lease} s, sweep {args.sweep} s)"
        )
        bench = Bench(cluster, template, args.reminders, args, tmp)
        results = {}
        for name in args.only:
            print(f"{name}:")
            started = time.monotonic()
            try:
                results[name] = SCENARIOS[name](bench)
            except TooSlow as exc:  # the figures so far, and on with the next scenario
                got = ", ".join(f"{unique(server):,} distinct mails received" for server in _SINKS)
                print(f"  PARTIAL: {exc}; by then {got or 'nothing received'}")
                results[name] = False
            finally:
                _clean_up()
            print(f"  {'OK' if results[name] else 'MISS'} ({time.monotonic() - started:.0f} s)")
    finally:
        cluster.destroy()
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
