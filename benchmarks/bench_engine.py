"""Benchmarks of the engine (issue 2). Prints ratios against baselines measured in the same run.

    python benchmarks/bench_engine.py [--transitions 3000] [--initiatives 100000]

1. persisted transition (load, guards, version-checked update, event row, commit) on SQLite,
   as a fraction of the throughput of a raw sqlite3 CAS update + insert + commit on the same
   file — target >= 0.10; engine and raw rounds interleaved, median and range of the rounds;
   once on a bare initiative and once with dated steps, target dates and a group decision
   (each move uses up the decision and re-plans the reminders of the stage whose target date
   and steps start or stop lying ahead — target < 1 ms CPU — beside a full re-plan of the same
   initiative in the same rounds); the statements and the CPU time of a move are printed;
2. in-memory dispatch with guards vs a bare ``machine.events[t].trigger(obj)`` on the same
   machine, interleaved rounds, median and range — target <= 3x;
3. memory growth while loading and firing through N initiatives, after the first 10,000 —
   target < 5 MiB.
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, insert, select  # noqa: E402

from engine.accounts import create_person  # noqa: E402
from engine.db import make_engine, make_session_factory  # noqa: E402
from engine.guards import GuardContext, check_guards  # noqa: E402
from engine.machines import Subject, machines  # noqa: E402
from engine.migrate import upgrade_engine  # noqa: E402
from engine.models import (  # noqa: E402
    Decision,
    District,
    Initiative,
    Membership,
    Neighbourhood,
    Person,
    StagePlan,
)
from engine.operations import (  # noqa: E402
    add_step,
    create_initiative,
    fire_transition,
    set_target_date,
)
from engine.operations import transitions as transitions_module  # noqa: E402
from engine.operations.common import machine_for  # noqa: E402
from engine.reminders.planner import PLAN_SOURCES, plan_for  # noqa: E402
from engine.reminders.replan import replan_move  # noqa: E402
from engine.workflows.versions import latest_version, sync_workflows  # noqa: E402

HERE = Path(__file__).parent
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def setup(path: Path):
    engine = make_engine(f"sqlite:///{path}")
    upgrade_engine(engine)
    factory = make_session_factory(engine)
    with factory() as s:
        sync_workflows(s, T0, HERE / "workflows")
        d = District(name="West")
        s.add(d)
        s.flush()
        s.add(Neighbourhood(district_id=d.id, name="Paddepoel"))
        create_person(s, email="anna@example.nl", name="Anna", now=T0)
        s.commit()
    return engine, factory


def spread(values: list[float], fmt: str = "{:.3f}") -> str:
    """The median and the range of several rounds: ``median (min–max)``."""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–" + (
        f"{fmt.format(max(values))})"
    )


def _dated_plan(s, item_id: int, anna_id: int) -> None:
    """Dated steps in both stages (an owner each, a week or more ahead) and target dates."""
    anna = s.get(Person, anna_id)
    day = T0.date()
    for stage in ("proposal", "visioning"):
        for k in range(2):
            add_step(s, anna, item_id, stage_key=stage, title=f"{stage} {k}", owner_id=anna_id,
                     due_date=day + timedelta(days=30 + k), now=T0)  # fmt: skip
        set_target_date(s, anna, item_id, stage_key=stage, target_date=day + timedelta(days=60),
                        now=T0)  # fmt: skip


def bench_persisted(n: int, rounds: int = 5, *, dated: bool = False) -> float:
    """Engine and raw rounds interleaved (engine, raw, engine, raw…), ``n`` transitions each
    side in all; ``dated``: an initiative with dated steps, target dates and a group decision
    before every move, so each move re-plans reminders and uses up a decision."""
    tmp = Path(tempfile.mkdtemp()) / "bench.db"
    engine, factory = setup(tmp)
    workflow = "decided" if dated else "pingpong"
    with factory() as s:
        anna = s.scalar(select(Person).limit(1))
        item = create_initiative(
            s, anna, workflow=workflow, neighbourhood_id=1, title="Bank", description="", now=T0
        )
        s.flush()
        if dated:
            _dated_plan(s, item.id, anna.id)
        s.commit()
        item_id, anna_id = item.id, anna.id
    triggers = ("forth", "back")
    states = ("proposal", "visioning")
    clock = [T0]
    moves = [0]
    engine_seconds: list[float] = []
    engine_cpu: list[float] = []

    def decide(s, i: int) -> None:
        """An approved group decision for the next move (not timed: voting is another page)."""
        s.execute(insert(Decision), {
            "initiative_id": item_id, "trigger": triggers[i % 2], "stage_key": states[i % 2],
            "rule": "initiators", "status": "approved", "question": "", "opened_by_id": anna_id,
            "opened_dt": clock[0], "closed_dt": clock[0],
        })  # fmt: skip
        s.commit()

    def orm(count: int, note=None) -> None:
        """``count`` moves; ``note``: a listener told of every statement of the moves (from
        the turn taken to the commit), nothing else."""
        with factory() as s:
            actor = s.get(Person, anna_id)
            for _ in range(count):
                i = moves[0]
                clock[0] += timedelta(seconds=1)
                if dated:
                    decide(s, i)
                if note is not None:
                    event.listen(engine, "before_cursor_execute", note)
                cpu, wall = time.process_time(), time.perf_counter()
                fire_transition(s, actor, item_id, triggers[i % 2], clock[0])
                s.commit()
                engine_seconds.append(time.perf_counter() - wall)
                engine_cpu.append(time.process_time() - cpu)
                if note is not None:
                    event.remove(engine, "before_cursor_execute", note)
                moves[0] += 1

    # The baseline does the same database work by hand with the sqlite3 module: a
    # compare-and-set update of an initiative row and an insert into the events table (the
    # same tables, indexes and foreign keys, the same pragmas), then a commit.
    with factory() as s:
        twin = create_initiative(
            s, s.get(Person, anna_id), workflow="pingpong", neighbourhood_id=1, title="Tweeling",
            description="", now=T0,
        )  # fmt: skip
        s.commit()
        twin_id, twin_version = twin.id, twin.version
    raw = sqlite3.connect(tmp, isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")
    raw.execute("PRAGMA foreign_keys=ON")
    version = [twin_version]

    raw_cpu: list[float] = []

    def rawcas(count: int) -> None:
        cpu = time.process_time()
        for i in range(count):
            src, dst = states[i % 2], states[(i + 1) % 2]
            stamp = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
            raw.execute("BEGIN")
            cur = raw.execute(
                "UPDATE initiatives SET state=?, version=?, stage_entered_dt=?, "
                "last_activity_dt=? WHERE id=? AND version=?",
                (dst, version[0] + 1, stamp, stamp, twin_id, version[0]),
            )
            assert cur.rowcount == 1
            raw.execute(
                "INSERT INTO events (initiative_id, actor_id, created_dt, kind, from_stage, "
                "to_stage, note, data) VALUES (?, ?, ?, 'transition', ?, ?, NULL, ?)",
                (twin_id, anna_id, stamp, src, dst, '{"trigger": "x"}'),
            )
            raw.execute("COMMIT")
            version[0] += 1
        raw_cpu.append((time.process_time() - cpu) / count)

    orm(20)  # warm caches (machine, statements)
    rawcas(50)
    statements = _statements_of_one_move(engine, factory, orm)
    per_round = max(1, n // rounds)
    engine_rates, raw_rates, ratios, cpu_ratios = [], [], [], []
    move_ms, plan_ms, full_ms, raw_ms = [], [], [], []
    planning: list[float] = []
    transitions_module.replan_move = _timed(replan_move, planning)
    for _ in range(rounds):
        engine_seconds.clear()
        engine_cpu.clear()
        raw_cpu.clear()
        planning.clear()
        orm(per_round)
        engine_rate = per_round / sum(engine_seconds)
        start = time.perf_counter()
        rawcas(per_round)
        raw_rate = per_round / (time.perf_counter() - start)
        engine_rates.append(engine_rate)
        raw_rates.append(raw_rate)
        ratios.append(engine_rate / raw_rate)
        cpu_ratios.append(raw_cpu[-1] / statistics.median(engine_cpu))
        move_ms.append(statistics.median(engine_cpu) * 1000)
        raw_ms.append(raw_cpu[-1] * 1000)
        if planning:
            plan_ms.append(statistics.median(planning) * 1000)
        if dated:  # the yardstick in the same round: a full re-plan of the same initiative
            full_ms.append(_full_replan_ms(factory, item_id, count=20))
    transitions_module.replan_move = replan_move
    raw.close()
    engine.dispose()
    ratio = statistics.median(ratios)
    what = "dated steps, target dates and a decision" if dated else "no dates"
    print(f"persisted transition, SQLite, {what}: {rounds} interleaved rounds of {per_round}")
    engine_text, raw_text = spread(engine_rates, "{:,.0f}"), spread(raw_rates, "{:,.0f}")
    print(f"  engine {engine_text}/s, raw sqlite3 {raw_text}/s; engine {statements} statements"
          f" a move")  # fmt: skip
    print(f"  CPU a move (median of each round; median and range of the rounds): engine "
          f"{spread(move_ms, '{:.2f}')} ms, raw sqlite3 {spread(raw_ms, '{:.3f}')} ms")  # fmt: skip
    if plan_ms:
        met = "OK" if statistics.median(plan_ms) < 1 else "MISS"
        print(f"  of the engine's move, re-planning reminders {spread(plan_ms, '{:.2f}')} ms CPU"
              f"  (target < 1 ms)  {met}")  # fmt: skip
    if dated:
        shares = [p / f for p, f in zip(plan_ms, full_ms, strict=True)]
        print(f"  a full re-plan of the same initiative's plan reminders (what a move did before "
              f"issue 17), same rounds: {spread(full_ms, '{:.2f}')} ms CPU; re-plan / full "
              f"{spread(shares, '{:.2f}')}")  # fmt: skip
    print(f"  ratio engine/raw = {spread(ratios)}  (target >= 0.10)  "
          f"{'OK' if ratio >= 0.10 else 'MISS'}; by CPU time {spread(cpu_ratios)}")  # fmt: skip
    return ratio


def _full_replan_ms(factory, item_id: int, count: int = 50) -> float:
    """CPU time of ``plan_for`` over both plan sources (nothing to change: the reading and
    comparing a full re-plan does), the median of ``count``."""
    times = []
    with factory() as s:
        for _ in range(count):
            start = time.process_time()
            plan_for(s, item_id, T0, sources=PLAN_SOURCES)
            times.append(time.process_time() - start)
        s.rollback()
    return statistics.median(times) * 1000


def _timed(fn, into: list[float]):
    """``fn``, noting the CPU time of each call in ``into``."""

    def timed(*args, **kwargs):
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            into.append(time.process_time() - start)

    return timed


def _statements_of_one_move(engine, factory, orm) -> int:
    """How many statements one move sends, from its first (the turn taken) to its commit (the
    decision's insert before it, in a transaction of its own, is not counted)."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        seen.append(statement)

    orm(1, note)
    return len(seen)


def bench_dispatch(n: int, rounds: int = 5) -> float:
    tmp = Path(tempfile.mkdtemp()) / "dispatch.db"
    engine, factory = setup(tmp)
    with factory() as s:
        anna = s.scalar(select(Person).limit(1))
        item = create_initiative(
            s, anna, workflow="pingpong", neighbourhood_id=1, title="Bank", description="", now=T0
        )
        _, pm = machine_for(s, item)
    engine.dispose()
    machine = pm.machine
    events = machine.events
    ctx = GuardContext(member_count=3, open_steps=0, total_steps=2)
    triggers = ("forth", "back")

    def bare(count: int) -> None:
        subject = Subject("proposal")
        for i in range(count):
            events[triggers[i % 2]].trigger(subject)

    def guarded(count: int) -> None:
        state = "proposal"
        for i in range(count):
            t = pm.graph.find(triggers[i % 2], state)
            if check_guards(t.guards, ctx):
                raise AssertionError("guards should hold")
            state = pm.fire(state, t.trigger)

    bare(1000)
    guarded(1000)
    # interleaved rounds (bare, guarded, bare, guarded …): both see the same load
    bare_us, guarded_us, costs = [], [], []
    per_round = max(1, n // rounds)
    for _ in range(rounds):
        start = time.perf_counter()
        bare(per_round)
        bare_us.append((time.perf_counter() - start) / per_round * 1e6)
        start = time.perf_counter()
        guarded(per_round)
        guarded_us.append((time.perf_counter() - start) / per_round * 1e6)
        costs.append(guarded_us[-1] / bare_us[-1])
    cost = statistics.median(costs)
    bare_text, guarded_text = spread(bare_us, "{:.2f}"), spread(guarded_us, "{:.2f}")
    print(f"in-memory dispatch: {rounds} interleaved rounds of {per_round:,}: bare trigger "
          f"{bare_text} µs, with guards {guarded_text} µs")  # fmt: skip
    print(f"  cost ratio guarded/bare = {spread(costs, '{:.2f}')}x  (target <= 3x)  "
          f"{'OK' if cost <= 3 else 'MISS'}")  # fmt: skip
    return cost


def bench_memory(total: int) -> float:
    tmp = Path(tempfile.mkdtemp()) / "memory.db"
    engine, factory = setup(tmp)
    with factory() as s:
        version = latest_version(s, "pingpong")
        rows = [
            {
                "title": f"Initiatief {i}",
                "description": "",
                "neighbourhood_id": 1,
                "workflow_version_id": version.id,
                "state": "proposal",
                "graph_key": "",
                "visibility": "public",
                "is_paused": False,
                "stage_entered_dt": T0,
                "last_activity_dt": T0,
                "created_dt": T0,
                "version": 1,
            }
            for i in range(total)
        ]
        for chunk in range(0, total, 10_000):
            s.execute(insert(Initiative), rows[chunk : chunk + 10_000])
        ids = list(s.scalars(select(Initiative.id).order_by(Initiative.id)))
        s.execute(
            insert(Membership),
            [
                {"initiative_id": i, "person_id": 1, "role": "initiator", "joined_dt": T0}
                for i in ids
            ],
        )
        s.execute(
            insert(StagePlan),
            [
                {"initiative_id": i, "stage_key": k, "position": p, "is_custom": False,
                 "is_skipped": False}
                for i in ids
                for p, k in enumerate(("proposal", "visioning", "maintenance"))
            ],
        )  # fmt: skip
        s.commit()
    del rows
    gc.collect()

    samples: dict[int, float] = {}
    now = T0
    batch = 500
    for start in range(0, total, batch):
        with factory() as s:
            actor = s.get(Person, 1)
            for iid in ids[start : start + batch]:
                now += timedelta(milliseconds=1)
                fire_transition(s, actor, iid, "forth", now)
            s.commit()
        done = start + batch
        if done % 10_000 == 0:
            gc.collect()
            samples[done] = rss_mib()
    engine.dispose()
    first = samples[10_000]
    last = samples[max(samples)]
    growth = last - first
    print(
        f"memory: RSS {first:.1f} MiB after 10,000 initiatives, {last:.1f} MiB after "
        f"{max(samples):,}; machines cached: {len(machines)}"
    )
    print(f"  growth = {growth:.2f} MiB  (target < 5 MiB)  {'OK' if growth < 5 else 'MISS'}")
    print("  samples: " + ", ".join(f"{k:,}: {v:.1f}" for k, v in sorted(samples.items())))
    return growth


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transitions", type=int, default=2000)
    parser.add_argument("--dispatch", type=int, default=100_000)
    parser.add_argument("--initiatives", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (>= 5)")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    if args.rounds < 5:
        parser.error("--rounds: at least 5 (each figure is the median and range of the rounds)")
    print("load average at the start: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    ratio = bench_persisted(args.transitions, args.rounds)
    dated = bench_persisted(args.transitions, args.rounds, dated=True)
    ratio = min(ratio, dated)
    cost = bench_dispatch(args.dispatch, args.rounds)
    growth = 0.0 if args.skip_memory else bench_memory(args.initiatives)
    print("load average at the end: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    ok = ratio >= 0.10 and cost <= 3 and growth < 5
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
