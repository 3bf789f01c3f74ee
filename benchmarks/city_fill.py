"""A fast fill of bench_caseload's city for bench_pages: the same shape, set-based.

Initiatives go in as plain tuples (``executemany`` on the DB-API cursor); their steps, events,
support requests and concerns are made by the database itself (``INSERT … SELECT`` over the new
initiatives and a small table of numbers), with choices drawn from a fixed hash of the row
instead of Python's random generator. The shape is bench_caseload's: 10 steps per initiative
(6 in 10 done, 7 in 10 dated, due −60…+60 days), 30 events (every tenth a move from
"proposal" to "visioning"), a support request for half of them (respond-by −10…+14 days), a
concern for one in a hundred. The database's own triggers (kept dates, counts, stays) run as
they would for any insert.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from bench_caseload import KINDS, NOW, TODAY, City
from sqlalchemy import text


def _at(moment: datetime, pg: bool):
    if pg:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _hash(salt: int, k: str = "0") -> str:
    """A number 0…1,000,002 drawn from the initiative's id (and ``k``): the same on both
    databases, different per salt."""
    return f"(((CAST(i.id AS BIGINT) * 7919 + {k} * 104729 + {salt}) * 2654435761) % 1000003)"


def fast_grow(city: City, count: int) -> None:
    """Add ``count`` initiatives with their steps, events, requests and concerns."""
    pg = city.engine.dialect.name == "postgresql"
    rng, first = city.rng, city.initiatives
    false, json = ("false", "CAST('{}' AS JSON)") if pg else ("0", "'{}'")
    rows = []
    for i in range(first, first + count):
        vid = rng.choice(list(city.versions))
        last = NOW - timedelta(days=rng.uniform(0, 120))
        rows.append((
            f"Initiatief {i:06d} {rng.choice(['tuin', 'plein', 'kade', 'park'])}", "",
            rng.choice(city.hoods), vid, rng.choice(city.versions[vid]), "", "public",
            rng.random() < 0.05, _at(last - timedelta(days=rng.uniform(0, 60)), pg), _at(last, pg),
            _at(last - timedelta(days=90), pg), rng.choice(city.people), 1, "open", False, "nl",
        ))  # fmt: skip
    insert = (
        "INSERT INTO initiatives (title, description, neighbourhood_id, workflow_version_id, "
        "state, graph_key, visibility, is_paused, stage_entered_dt, last_activity_dt, "
        "created_dt, created_by_id, version, join_policy, is_on_behalf, language) VALUES "
        + f"({', '.join(['%s' if pg else '?'] * 16)})"
    )
    now = _at(NOW, pg)
    numbers = " UNION ALL ".join(
        f"SELECT {k} AS k, {f'CAST(:e{k} AS TIMESTAMPTZ)' if pg else f':e{k}'} AS at"
        for k in range(30)
    )
    moments = {f"e{k}": _at(NOW - timedelta(days=200 - k * 6), pg) for k in range(30)}

    def due(expr: str) -> str:
        if pg:
            return f"CAST(:today AS DATE) + CAST({expr} AS INTEGER)"
        return f"date(:today, ({expr}) || ' days')"

    kinds = " ".join(f"WHEN {n} THEN '{kind}'" for n, kind in enumerate(KINDS))
    statements = [
        f"""INSERT INTO steps (initiative_id, stage_key, title, owner_id, position, is_done,
                               due_date, created_dt, version)
            SELECT i.id, i.state, 'Stap', NULL, n.k, {_hash(1, "n.k")} % 10 < 6,
                   CASE WHEN {_hash(2, "n.k")} % 10 < 7
                        THEN {due(f"{_hash(3, 'n.k')} % 121 - 60")} END, :now, 1
              FROM initiatives i JOIN ({numbers}) n ON n.k < 10
             WHERE i.id > :after ORDER BY i.id, n.k""",
        f"""INSERT INTO events (initiative_id, actor_id, kind, created_dt, from_stage, to_stage,
                                note, data)
            SELECT i.id, NULL,
                   CASE WHEN n.k % 10 = 0 THEN 'transition'
                        ELSE CASE {_hash(4, "n.k")} % {len(KINDS)} {kinds} END END,
                   n.at, CASE WHEN n.k % 10 = 0 THEN 'proposal' END,
                   CASE WHEN n.k % 10 = 0 THEN 'visioning' END, NULL, {json}
              FROM initiatives i JOIN ({numbers}) n ON n.k < 30
             WHERE i.id > :after ORDER BY i.id, n.k""",
        f"""INSERT INTO support_requests (initiative_id, kind, description, status,
                                          requested_by_id, created_dt, version, respond_by_date,
                                          answered_dt, answered_on)
            SELECT i.id, 'works', 'Asfalt weghalen.',
                   CASE {_hash(5)} % 5 WHEN 0 THEN 'submitted' WHEN 1 THEN 'acknowledged'
                        WHEN 2 THEN 'accepted' WHEN 3 THEN 'declined' ELSE 'delivered' END,
                   i.created_by_id, :requested, 1, {due(f"{_hash(6)} % 25 - 10")},
                   CASE WHEN {_hash(5)} % 5 >= 2 THEN :requested END,
                   CASE WHEN {_hash(5)} % 5 >= 2 THEN {due(f"{_hash(9)} % 20 - 20")} END
              FROM initiatives i WHERE i.id > :after AND {_hash(7)} % 2 = 0""",
        f"""INSERT INTO concerns (initiative_id, raised_by_id, reason, raised_dt)
            SELECT i.id, :coach, 'Stil.', :now
              FROM initiatives i WHERE i.id > :after AND {_hash(8)} % 100 = 0""",
    ]
    params = {"now": now, "today": TODAY.isoformat() if not pg else TODAY,
              "requested": _at(NOW - timedelta(days=20), pg), "coach": city.coach_id,
              **moments}  # fmt: skip
    started = time.perf_counter()
    with city.engine.begin() as conn:
        after = conn.execute(text("SELECT coalesce(max(id), 0) FROM initiatives")).scalar_one()
        conn.exec_driver_sql(insert, rows) if pg else conn.connection.executemany(insert, rows)
        for statement in statements:
            used = {k: v for k, v in params.items() if f":{k}" in statement}
            conn.execute(text(statement), {**used, "after": after})
    with city.engine.begin() as conn:  # what a database in use has: planner statistics
        conn.execute(text("ANALYZE"))
    city.initiatives += count
    print(f"    (filled in {time.perf_counter() - started:.0f} s)", flush=True)
