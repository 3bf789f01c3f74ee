"""Benchmark of the coach's caseload (issue 4). Prints ratios against baselines of the same run.

    python benchmarks/bench_caseload.py [--initiatives 10000] [--scale 10] [--repeats 30]
                                        [--url postgresql+psycopg://postgres@127.0.0.1/bench]

A city of N initiatives with 10 steps and 30 events each (bulk-inserted with Core ``insert()``
executemany, not through operations), support requests, concerns and coach assignments; then:

1. the first caseload page (default filters and sort, health signals included) through the
   engine's :func:`engine.coach.caseload.caseload`, against the bare SQL that fetches the same
   rows and the same count through the DB-API cursor — target <= 3x;
2. the same page rendered through the Flask test client (logged in as a coach), against the
   same bare SQL — reported, for orientation;
3. the city grown to ``scale`` x N initiatives (and steps and events): the engine's time
   against its own time at N — target <= 2x.

Times are the best of ``repeats`` runs (the least disturbed by a noisy machine).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, text  # noqa: E402

from engine.accounts import create_person  # noqa: E402
from engine.coach.caseload import Filters, caseload  # noqa: E402
from engine.coach.caseload_sql import COUNT_CAP  # noqa: E402
from engine.db import make_engine, make_session_factory  # noqa: E402
from engine.demo import load_places  # noqa: E402
from engine.migrate import upgrade_engine  # noqa: E402
from engine.models import (  # noqa: E402
    CoachAssignment,
    Concern,
    District,
    Event,
    Initiative,
    Neighbourhood,
    Person,
    Step,
    SupportRequest,
    WorkflowVersion,
)
from engine.timeutil import local_date  # noqa: E402
from engine.workflows.versions import definition_of, sync_workflows  # noqa: E402

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
TODAY = local_date(NOW)
PASSWORD = "benchmark-coach"
CHUNK = 20_000
KINDS = ("step.added", "step.completed", "updated", "joined", "target_date", "support.filed")


def _chunks(rows, size=CHUNK):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class City:
    """The database, and the facts the generators draw from."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        upgrade_engine(self.engine)
        self.sessions = make_session_factory(self.engine)
        self.rng = random.Random(4)
        with self.sessions() as s:
            sync_workflows(s, NOW)
            load_places(s)
            self.coach = create_person(
                s, email="coach@example.nl", name="Coach", role="coach", password=PASSWORD,
                now=NOW,
            )  # fmt: skip
            s.execute(
                insert(Person),
                [
                    {"email": f"bewoner{i}@example.nl", "name": f"Bewoner {i}", "role": "resident",
                     "locale": "nl", "is_active": True, "created_dt": NOW}
                    for i in range(200)
                ],
            )  # fmt: skip
            self.people = list(s.scalars(select(Person.id)))
            self.hoods = list(s.scalars(select(Neighbourhood.id)))
            self.versions = {
                v.id: [st.id for st in definition_of(v).stages]
                for v in s.scalars(select(WorkflowVersion))
            }
            coaches = []
            for i, district in enumerate(s.scalars(select(District.id))):
                coaches.append(
                    create_person(
                        s, email=f"coach{i}@example.nl", name=f"Coach {i}", role="coach", now=NOW
                    )  # fmt: skip
                )
                s.add(CoachAssignment(coach_id=coaches[-1].id, district_id=district,
                                      created_dt=NOW))  # fmt: skip
            self.coach_id = self.coach.id
            s.commit()
        self.initiatives = 0

    def grow(self, count: int) -> None:
        """Add ``count`` initiatives, 10 steps and 30 events each, requests and concerns."""
        rng, first = self.rng, self.initiatives
        with self.sessions() as s:
            rows = []
            for i in range(first, first + count):
                vid = rng.choice(list(self.versions))
                last = NOW - timedelta(days=rng.uniform(0, 120))
                rows.append({
                    "title": f"Initiatief {i:06d} {rng.choice(['tuin', 'plein', 'kade', 'park'])}",
                    "description": "", "neighbourhood_id": rng.choice(self.hoods),
                    "workflow_version_id": vid, "state": rng.choice(self.versions[vid]),
                    "graph_key": "", "visibility": "public", "is_paused": rng.random() < 0.05,
                    "stage_entered_dt": last - timedelta(days=rng.uniform(0, 60)),
                    "last_activity_dt": last, "created_dt": last - timedelta(days=90),
                    "created_by_id": rng.choice(self.people), "version": 1,
                })  # fmt: skip
            for batch in _chunks(rows):
                s.execute(insert(Initiative), batch)
            ids = list(s.scalars(select(Initiative.id).order_by(Initiative.id).offset(first)))
            states = dict(s.execute(select(Initiative.id, Initiative.state).where(
                Initiative.id >= ids[0])).all())  # fmt: skip
            self._steps(s, ids, states)
            self._events(s, ids)
            self._requests(s, ids)
            s.execute(insert(Concern), [
                {"initiative_id": iid, "raised_by_id": self.coach_id, "reason": "Stil.",
                 "raised_dt": NOW} for iid in rng.sample(ids, len(ids) // 100)
            ])  # fmt: skip
            s.commit()
        self.initiatives += count
        with self.engine.begin() as conn:  # what a database in use has: planner statistics
            conn.execute(text("ANALYZE"))

    def _steps(self, s, ids, states) -> None:
        rng = self.rng

        def rows():
            for iid in ids:
                for position in range(10):
                    due = TODAY + timedelta(days=rng.randint(-60, 60))
                    yield {
                        "initiative_id": iid, "stage_key": states[iid], "title": "Stap",
                        "owner_id": None, "position": position, "is_done": rng.random() < 0.6,
                        "due_date": due if rng.random() < 0.7 else None, "created_dt": NOW,
                    }  # fmt: skip

        for batch in _chunks(rows()):
            s.execute(insert(Step), batch)

    def _events(self, s, ids) -> None:
        rng = self.rng

        def rows():
            for iid in ids:
                for n in range(30):
                    kind = "transition" if n % 10 == 0 else rng.choice(KINDS)
                    yield {
                        "initiative_id": iid, "actor_id": None, "kind": kind,
                        "created_dt": NOW - timedelta(days=200 - n * 6),
                        "from_stage": "proposal" if kind == "transition" else None,
                        "to_stage": "visioning" if kind == "transition" else None,
                        "note": None, "data": {},
                    }  # fmt: skip

        for batch in _chunks(rows()):
            s.execute(insert(Event), batch)

    def _requests(self, s, ids) -> None:
        rng = self.rng
        statuses = ("submitted", "acknowledged", "accepted", "declined", "delivered")
        s.execute(insert(SupportRequest), [
            {"initiative_id": iid, "kind": "works", "description": "Asfalt weghalen.",
             "status": rng.choice(statuses), "requested_by_id": rng.choice(self.people),
             "created_dt": NOW - timedelta(days=20), "version": 1,
             "respond_by_date": TODAY + timedelta(days=rng.randint(-10, 14))}
            for iid in rng.sample(ids, len(ids) // 2)
        ])  # fmt: skip


BARE = """
SELECT i.id, i.title, i.state, i.workflow_version_id, i.is_paused, i.visibility,
       i.stage_entered_dt, i.last_activity_dt, n.name, d.id, d.name, w.name, w.content_hash,
       (SELECT count(*) FROM steps s
         WHERE s.initiative_id = i.id AND s.is_done = {false} AND s.due_date < {p}),
       (SELECT count(*) FROM support_requests r
         WHERE r.initiative_id = i.id AND (r.status = 'submitted' OR r.status = 'acknowledged')),
       (SELECT min(r.respond_by_date) FROM support_requests r
         WHERE r.initiative_id = i.id AND (r.status = 'submitted' OR r.status = 'acknowledged')),
       (SELECT sp.custom_title FROM stage_plans sp
         WHERE sp.initiative_id = i.id AND sp.stage_key = i.state AND sp.is_custom = {true}),
       c.reason, p.name,
       (SELECT {agg}(cp.name, ', ') FROM coach_assignments a JOIN people cp ON cp.id = a.coach_id
         WHERE a.initiative_id = i.id),
       (SELECT {agg}(cp.name, ', ') FROM coach_assignments a JOIN people cp ON cp.id = a.coach_id
         WHERE a.district_id = n.district_id)
  FROM initiatives i
  JOIN neighbourhoods n ON n.id = i.neighbourhood_id
  JOIN districts d ON d.id = n.district_id
  JOIN workflow_versions w ON w.id = i.workflow_version_id
  LEFT JOIN concerns c ON c.initiative_id = i.id AND c.cleared_dt IS NULL
  LEFT JOIN people p ON p.id = c.raised_by_id
 ORDER BY i.last_activity_dt, i.id
 LIMIT 25 OFFSET 0
"""
# the caseload counts exactly up to COUNT_CAP and says "more than" beyond; so does the baseline
BARE_COUNT = f"SELECT count(*) FROM (SELECT 1 FROM initiatives LIMIT {COUNT_CAP + 1}) AS capped"


def bare_runner(city: City):
    """The same rows and count by hand, through the DB-API cursor of the same database."""
    sqlite = city.engine.dialect.name == "sqlite"
    sql = BARE.format(
        p="?" if sqlite else "%s",
        false="0" if sqlite else "false",
        true="1" if sqlite else "true",
        agg="group_concat" if sqlite else "string_agg",
    )
    raw = city.engine.raw_connection()
    cursor = raw.cursor()

    def run() -> int:
        cursor.execute(BARE_COUNT)
        total = cursor.fetchone()[0]
        cursor.execute(sql, (TODAY.isoformat() if sqlite else TODAY,))
        rows = cursor.fetchall()
        assert len(rows) == 25 and total == min(city.initiatives, COUNT_CAP + 1)
        return total

    return run, raw


def best(fn, repeats: int) -> float:
    fn()
    fn()  # warm: caches, statement compilation, the page cache of the database
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def engine_runner(city: City):
    session = city.sessions()

    def run():
        result = caseload(session, Filters(), now=NOW, stalled_days=30)
        assert len(result.rows) == 25 and result.total == min(city.initiatives, COUNT_CAP + 1)

    return run, session


def flask_runner(city: City, instance: Path):
    from web import create_app

    app = create_app({
        "VERBINDING_DATABASE_URL": city.engine.url.render_as_string(hide_password=False),
        "VERBINDING_INSTANCE_PATH": str(instance), "VERBINDING_SECRET_KEY": "bench",
    })  # fmt: skip
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text)
    done = client.post(
        "/login",
        data={"csrf_token": token.group(1), "email": "coach@example.nl", "password": PASSWORD},
    )
    assert done.status_code == 302, "the benchmark coach could not log in"

    def run():
        response = client.get("/coach/")
        assert response.status_code == 200 and response.text.count("/coach/initiatives/") == 25

    return run, app


def measure(city: City, repeats: int, instance: Path) -> dict[str, float]:
    bare, raw = bare_runner(city)
    eng, session = engine_runner(city)
    page, app = flask_runner(city, instance)
    try:
        return {"bare": best(bare, repeats), "engine": best(eng, repeats),
                "flask": best(page, repeats)}  # fmt: skip
    finally:
        raw.close()
        session.close()
        app.extensions["verbinding"].engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--initiatives", type=int, default=10_000)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--url", help="a database to fill (default: a new SQLite file)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-caseload-"))
    city = City(args.url or f"sqlite:///{tmp / 'caseload.db'}")
    n = args.initiatives
    print(f"database: {city.engine.dialect.name}; filling {n:,} initiatives …", flush=True)
    started = time.perf_counter()
    city.grow(n)
    print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)
    small = measure(city, args.repeats, tmp)
    with city.sessions() as s:
        counts = [s.scalar(select(func.count()).select_from(m)) for m in (Initiative, Step, Event)]
    print(f"{counts[0]:,} initiatives, {counts[1]:,} steps, {counts[2]:,} events")
    ok = report_page(small)
    print(f"growing to {n * args.scale:,} initiatives …", flush=True)
    started = time.perf_counter()
    city.grow(n * (args.scale - 1))
    print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)
    large = measure(city, args.repeats, tmp)
    with city.sessions() as s:
        counts = [s.scalar(select(func.count()).select_from(m)) for m in (Initiative, Step, Event)]
    print(f"{counts[0]:,} initiatives, {counts[1]:,} steps, {counts[2]:,} events")
    ok = report_page(large) and ok
    growth = large["engine"] / small["engine"]
    verdict = "OK" if growth <= 2 else "MISS"
    print(f"caseload page at {args.scale}x the initiatives / at 1x = {growth:.2f}  "
          f"(target <= 2)  {verdict}")  # fmt: skip
    print(f"  (bare SQL grew {large['bare'] / small['bare']:.2f}x, the Flask page "
          f"{large['flask'] / small['flask']:.2f}x)")  # fmt: skip
    city.engine.dispose()
    return 0 if ok and growth <= 2 else 1


def report_page(t: dict[str, float]) -> bool:
    ratio = t["engine"] / t["bare"]
    print(f"  bare SQL (rows + count) {t['bare'] * 1000:.2f} ms; engine caseload() "
          f"{t['engine'] * 1000:.2f} ms; Flask page {t['flask'] * 1000:.2f} ms")  # fmt: skip
    print(f"  engine / bare SQL = {ratio:.2f}  (target <= 3)  {'OK' if ratio <= 3 else 'MISS'}")
    print(f"  Flask page / bare SQL = {t['flask'] / t['bare']:.2f}  (rendering included)")
    return ratio <= 3


if __name__ == "__main__":
    sys.exit(main())
