"""Benchmark of notification fan-out (issue 11): ratios against a baseline of the same run.

    python benchmarks/bench_notify.py [--recipients 1000] [--rounds 15]
                                      [--url postgresql+psycopg://postgres@127.0.0.1/bench]

A group of N members (bulk-inserted). One event told to all of them but its actor:

* **fan-out** — :func:`engine.notifications.fanout.notify`: the event row, one ``INSERT …
  SELECT`` of N-1 notification rows (each reader's preference joined in, a random unsubscribe
  token made by the database), and, for readers who want mail at once, the mail composed once
  per language, stored once per language, and a second ``INSERT … SELECT`` of N-1 outbox rows
  pointing at their language's text (a fifth of the readers read English);
* **bare** — the event row and a bare ``INSERT … SELECT`` of the same notification rows
  (constant columns, no preferences, no outbox), written as plain SQL text.

* **fan-out, rows only** — the same for a kind mailed in the daily overview (no outbox now).

Each round runs each in its own transaction, rolled back afterwards (``--commit``: committed,
the commit timed, the rows deleted afterwards untimed), interleaved (A B, B A, …) so drift on
a shared machine hits both; both use the same connections (SQLite: WAL, synchronous=NORMAL).
Medians and spread (min–max) are printed, and the range of the ratio within each round.
Target: fan-out ≤ 3× bare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, text  # noqa: E402

from engine.accounts import create_person  # noqa: E402
from engine.config import load_config  # noqa: E402
from engine.db import make_engine, make_session_factory  # noqa: E402
from engine.migrate import upgrade_engine  # noqa: E402
from engine.models import District, Membership, Neighbourhood, OutboxMessage, Person  # noqa: E402
from engine.models.notifications import Notification  # noqa: E402
from engine.notifications.fanout import notify  # noqa: E402
from engine.notifications.recipients import group  # noqa: E402
from engine.operations import create_initiative  # noqa: E402
from engine.workflows.versions import sync_workflows  # noqa: E402

HERE = Path(__file__).parent
T0 = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)

BARE = text(
    "INSERT INTO notifications (event_id, person_id, created_dt, mail_mode, mail_status, "
    "mail_due_dt) SELECT :eid, person_id, :now, 'immediate', 'pending', :now FROM memberships "
    "WHERE initiative_id = :iid AND person_id <> :actor"
)
EVENT = text(
    "INSERT INTO notification_events (kind, initiative_id, actor_id, data, link, created_dt) "
    "VALUES ('stage_moved', :iid, :actor, '{}', '/', :now)"
)


def setup(url: str, recipients: int):
    engine = make_engine(url)
    upgrade_engine(engine)
    config = load_config({"VERBINDING_DATABASE_URL": url, "VERBINDING_SECRET_KEY": "bench"})
    factory = make_session_factory(engine, config)
    with factory() as s:
        sync_workflows(s, T0, HERE.parent / "tests" / "data" / "workflows")
        d = District(name="West")
        s.add(d)
        s.flush()
        s.add(Neighbourhood(district_id=d.id, name="Paddepoel"))
        s.flush()
        anna = create_person(s, email="anna@example.nl", name="Anna", now=T0)
        item = create_initiative(s, anna, workflow="proefproces", neighbourhood_id=1,
                                 title="Wijkvisie Paddepoel", description="", now=T0)  # fmt: skip
        first = (s.scalar(select(func.max(Person.id))) or 0) + 1
        s.execute(insert(Person), [
            {"email": f"bewoner{i}@example.nl", "name": f"Bewoner {i}", "role": "resident",
             "locale": "en" if i % 5 == 0 else "nl", "is_active": True, "created_dt": T0}
            for i in range(recipients - 1)
        ])  # fmt: skip
        s.execute(insert(Membership), [
            {"initiative_id": item.id, "person_id": first + i, "role": "member",
             "joined_dt": T0}
            for i in range(recipients - 1)
        ])  # fmt: skip
        s.commit()
        return engine, factory, item.id, anna.id


#: commit each side's transaction (timed) and delete its rows afterwards, instead of rolling back
COMMIT = False
CLEAN = [text(f"DELETE FROM {t}") for t in ("outbox", "outbox_bodies", "notifications",
                                             "notification_events")]  # fmt: skip


def _end(s) -> None:
    """Untimed: the tables as they were (committed runs delete their rows)."""
    if COMMIT:
        for statement in CLEAN:
            s.execute(statement)
        s.commit()
    else:
        s.rollback()


def fan_out(factory, iid: int, actor: int, kind: str = "stage_moved") -> tuple[Took, int, int]:
    """``stage_moved`` is mailed at once by default; ``member_left`` waits for the daily
    overview (rows only, no outbox)."""
    with factory() as s:
        start = _clocks()
        notify(s, kind=kind, initiative_id=iid, actor_id=actor, recipients=group(iid),
               link=f"/initiatives/{iid}", now=T0,
               data={"initiative": "Wijkvisie Paddepoel", "actor": "Anna", "name": "Bram",
                     "stage": {"nl": "Visie", "en": "Vision"}})  # fmt: skip
        s.commit() if COMMIT else s.flush()
        took = _since(start)
        rows = s.scalar(select(func.count()).select_from(Notification)) or 0
        mails = s.scalar(select(func.count()).select_from(OutboxMessage)) or 0
        _end(s)
    return took, rows, mails


def bare(factory, iid: int, actor: int) -> tuple[Took, int]:
    with factory() as s:
        start = _clocks()
        s.execute(EVENT, {"iid": iid, "actor": actor, "now": T0})
        eid = s.scalar(text("SELECT max(id) FROM notification_events"))
        s.execute(BARE, {"eid": eid, "now": T0, "iid": iid, "actor": actor})
        if COMMIT:
            s.commit()
        took = _since(start)
        rows = s.scalar(select(func.count()).select_from(Notification)) or 0
        _end(s)
    return took, rows


#: (wall-clock seconds, CPU seconds of this thread): on SQLite the database works in this
#: thread, so its CPU time is what the work costs, whatever else the machine is doing
Took = tuple[float, float]


def _clocks() -> Took:
    return time.perf_counter(), time.thread_time()


def _since(start: Took) -> Took:
    wall, cpu = _clocks()
    return wall - start[0], cpu - start[1]


def spread(times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return f"median {statistics.median(ms):7.2f} ms (min {min(ms):.2f}, max {max(ms):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--url", default=None)
    parser.add_argument("--commit", action="store_true", help="commit (timed) instead of rollback")
    args = parser.parse_args()
    global COMMIT
    COMMIT = args.commit
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'notify.db'}"
    engine, factory, iid, actor = setup(url, args.recipients)
    fan_out(factory, iid, actor), bare(factory, iid, actor)  # warm caches and templates
    a: list[Took] = []
    b: list[Took] = []
    c: list[Took] = []
    for n in range(args.rounds):
        for which in "acb" if n % 2 == 0 else "bca":
            if which == "a":
                took, rows, mails = fan_out(factory, iid, actor)
                assert rows == mails == args.recipients - 1, (rows, mails)
                a.append(took)
            elif which == "c":
                took, rows, mails = fan_out(factory, iid, actor, "member_left")
                assert rows == args.recipients - 1 and mails == 0, (rows, mails)
                c.append(took)
            else:
                took, rows = bare(factory, iid, actor)
                assert rows == args.recipients - 1, rows
                b.append(took)
    print(f"{engine.dialect.name}: one event to {args.recipients - 1} readers, {args.rounds} "
          f"interleaved rounds, {'committed' if COMMIT else 'rolled back'}")  # fmt: skip
    clocks = ["wall clock", "CPU of this thread"]
    if engine.dialect.name != "sqlite":
        clocks = clocks[:1]  # the server's work is in another process
    for i, clock in enumerate(clocks):
        fan, only, base = ([t[i] for t in x] for x in (a, c, b))
        print(f" {clock}:")
        print(f"  fan-out (rows + outbox): {spread(fan)}")
        print(f"  fan-out (rows only):     {spread(only)}")
        print(f"  bare INSERT … SELECT:    {spread(base)}")
        ratio = statistics.median(fan) / statistics.median(base)
        each = [x / y for x, y in zip(fan, base, strict=True)]
        print(f"  ratio of medians, rows + outbox: {ratio:.2f}x (target <= 3x); "
              f"within a round {min(each):.2f}-{max(each):.2f}x")  # fmt: skip
        ratio = statistics.median(only) / statistics.median(base)
        each = [x / y for x, y in zip(only, base, strict=True)]
        print(f"  ratio of medians, rows only:     {ratio:.2f}x; "
              f"within a round {min(each):.2f}-{max(each):.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
