"""Benchmark of the pages (issue 17): each page against the bare work it needs, at city sizes.

    python benchmarks/bench_pages.py [--size 10000 --size 100000] [--rounds 5]
                                     [--requests 10000] [--url postgresql+psycopg://…/b10k
                                      --url postgresql+psycopg://…/b100k]
                                     [--page feed --page overview]

A city (bench_caseload's shape, filled set-based by ``city_fill``: initiatives with 10
steps and 30 events each, support requests, concerns, a coach per stadsdeel) plus one
initiative of a resident group (12 members, dated steps in two stages, a calendar feed) and
a calendar entry for every dated open step of the city. Then, at each size, through the Flask
test client (the whole app, in this process), for every page by its URL — so it measures
whatever the pages are when it runs:

* the time per request (wall and CPU), against a **baseline** measured in the same round: the
  very statements the page sent (captured on a warm request), replayed through the DB-API
  cursor of the same database, plus a bare Flask + Jinja render (a minimal app, one template
  with a loop) of a page of the same size in bytes — target <= 3x (by wall time; the ratio by
  CPU time of this process is printed beside it: on PostgreSQL it leaves out the server's work);
* the page's time at the largest size against the smallest — target <= 1.2x;
* RSS growth of this process over ``--requests`` mixed requests at the largest size, after a
  warm-up of the same mix — target <= 10 MiB over 10,000;
* a full move through the site (POST, then the redirected initiative page), CPU time — target
  <= 20 ms.

Rounds are interleaved (page, baseline, next page …), and each figure is the median over the
rounds with its range. Each size is a city of its own (its own database, its own app), and the
sizes are measured in the same rounds, alternately: the growth is taken round by round, so a
machine that slows down between two sizes does not pass for a page that grows.
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_caseload import NOW, PASSWORD, TODAY, City  # noqa: E402
from city_fill import fast_grow  # noqa: E402
from flask import Flask, render_template_string  # noqa: E402
from sqlalchemy import event, insert, select, text  # noqa: E402

from engine.accounts import create_person  # noqa: E402
from engine.coach.caseload_sql import SORTS  # noqa: E402
from engine.models import Membership, Person, Step  # noqa: E402
from engine.operations import add_step, create_initiative  # noqa: E402
from engine.reminders.calendar import make_feed  # noqa: E402
from engine.serving import settle_gc  # noqa: E402
from engine.workflows.versions import sync_workflows  # noqa: E402

HERE = Path(__file__).parent
RESIDENT = "anna@bench.nl"
DISTRICT_COACH = "coach0@example.nl"


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    low, high = fmt.format(min(values)), fmt.format(max(values))
    return f"{fmt.format(statistics.median(values))} ({low}–{high})"


# -- the city ---------------------------------------------------------------------------------


def add_group(city: City) -> dict:
    """The resident group's initiative, its members, dated steps and feeds; the coaches."""
    with city.sessions() as s:
        sync_workflows(s, NOW, HERE / "workflows")
        anna = create_person(s, email=RESIDENT, name="Anna de Vries", password=PASSWORD, now=NOW)
        item = create_initiative(
            s, anna, workflow="roundtrip", neighbourhood_id=city.hoods[0],
            title="Bankjes op de Voermanhaven", description="Groen en bankjes op de kade.",
            now=NOW,
        )  # fmt: skip
        s.flush()
        members = [pid for pid in city.people[5:16]]
        s.execute(insert(Membership), [
            {"initiative_id": item.id, "person_id": pid, "role": "member", "joined_dt": NOW}
            for pid in members
        ])  # fmt: skip
        for stage in ("proposal", "visioning"):
            for k in range(6):
                add_step(s, anna, item.id, stage_key=stage, title=f"Stap {stage} {k}",
                         owner_id=anna.id if k % 2 else None,
                         due_date=TODAY + timedelta(days=20 + k), now=NOW)  # fmt: skip
        person_feed = make_feed(s, anna, NOW).token
        initiative_feed = make_feed(s, anna, NOW, item.id).token
        coach = s.scalar(select(Person).where(Person.email == DISTRICT_COACH))
        coach_feed = make_feed(s, coach, NOW).token
        s.commit()
        return {"item": item.id, "person_feed": person_feed, "coach_feed": coach_feed,
                "initiative_feed": initiative_feed}  # fmt: skip


def add_calendar_entries(city: City, after_step: int) -> int:
    """A calendar entry for every dated open step added since ``after_step`` (bulk, in SQL:
    what planning would have stored), so feeds hold what a city in use has."""
    pg = city.engine.dialect.name == "postgresql"
    title = (
        'CAST(\'{"nl": "Stap", "en": "Step"}\' AS JSON)'
        if pg
        else ('\'{"nl": "Stap", "en": "Step"}\'')
    )
    sql = f"""
        INSERT INTO calendar_entries (key, source, initiative_id, kind, title, link, entry_date,
                                      sequence, is_cancelled, created_dt, updated_dt)
        SELECT 'step:' || id, 'steps', initiative_id, 'step_due', {title},
               '/initiatives/' || initiative_id, due_date, 0, {"false" if pg else "0"},
               :now, :now
          FROM steps
         WHERE id > :after AND due_date IS NOT NULL AND is_done = {"false" if pg else "0"}
    """
    with city.engine.begin() as conn:
        conn.execute(text(sql), {"now": NOW, "after": after_step})
        last = conn.execute(text("SELECT max(id) FROM steps")).scalar_one()
    settle(city)
    return last


#: the small tables the database keeps at every change (migrations 0025, 0031): a few hundred
#: rows, each updated once per initiative of the fill
KEPT_COUNTS = ("stage_counts", "stage_stays", "answer_tallies")


def settle(city: City) -> None:
    """What a database in use has after a bulk fill: statistics that know the new rows
    (city_fill's ANALYZE ran before the calendar entries: PostgreSQL planned the feeds for "12
    rows"), and on PostgreSQL, tables vacuumed as autovacuum would have kept them (this machine
    runs with it off; docs/deploy.md: keep it on). The fill updates the few rows of the kept
    count tables once per initiative: at 100,000 it left stage_stays 309 rows in 15 MB of dead
    versions, which a plain VACUUM frees but does not give back, and the overview's wall time
    grew 1.24-1.31x from 10,000 for that alone. A city that grew over years with autovacuum
    reuses that space as it goes: those tables are compacted (VACUUM FULL: small, quick)."""
    if city.engine.dialect.name == "postgresql":
        with city.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM FULL {', '.join(KEPT_COUNTS)}"))
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with city.engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def grow(city: City, count: int, after_step: int) -> int:
    started = time.perf_counter()
    fast_grow(city, count)
    last = add_calendar_entries(city, after_step)
    print(f"  +{count:,} initiatives in {time.perf_counter() - started:.0f} s "
          f"(now {city.initiatives:,})", flush=True)  # fmt: skip
    return last


# -- the clients ------------------------------------------------------------------------------


def make_app(city: City, instance: Path):
    from web import create_app

    return create_app({
        "VERBINDING_DATABASE_URL": city.engine.url.render_as_string(hide_password=False),
        "VERBINDING_INSTANCE_PATH": str(instance), "VERBINDING_SECRET_KEY": "bench",
        "VERBINDING_BASE_URL": "http://bench.test",
    })  # fmt: skip


def logged_in(app, email: str):
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text)
    assert token, "no login form"
    done = client.post("/login", data={"csrf_token": token.group(1), "email": email,
                                       "password": PASSWORD})  # fmt: skip
    assert done.status_code == 302, f"{email} could not log in"
    return client


def pages(facts: dict) -> list[tuple[str, str, str]]:
    """(name, who, URL) of every page measured."""
    item = facts["item"]
    found = [
        ("initiative (member)", "member", f"/initiatives/{item}"),
        ("initiative (anonymous)", "anonymous", f"/initiatives/{item}"),
        ("/ (anonymous)", "anonymous", "/"),
    ]
    found += [(f"caseload sort={key}", "coach", f"/coach/?sort={key}") for key in SORTS]
    found += [
        ("caseload status=stalled", "coach", "/coach/?status=stalled"),
        ("coach overview", "coach", "/coach/overview"),
        ("history (member)", "member", f"/initiatives/{item}/history"),
        ("feed: district coach", "anonymous", f"/calendar/{facts['coach_feed']}.ics"),
        ("feed: initiative", "anonymous", f"/calendar/initiative/{facts['initiative_feed']}.ics"),
    ]
    return found


# -- the baselines ----------------------------------------------------------------------------


class Recorder:
    """The statements the app's engine sends while it is on."""

    def __init__(self, engine) -> None:
        self.engine, self.on, self.seen = engine, False, []
        event.listen(engine, "before_cursor_execute", self._note)

    def _note(self, _conn, _cursor, statement, parameters, _context, many) -> None:
        if self.on and not many:
            self.seen.append((statement, parameters))

    def capture(self, fn) -> list:
        self.seen, self.on = [], True
        try:
            fn()
        finally:
            self.on = False
        return self.seen


BARE_TEMPLATE = """<!doctype html><html lang="nl"><head><title>{{ title }}</title></head><body>
<main><h1>{{ title }}</h1>{% for row in rows %}<div class="row"><a href="{{ row.href }}">
{{ row.title }}</a> <span>{{ row.note }}</span></div>{% endfor %}</main></body></html>"""


def bare_app() -> Flask:
    app = Flask("bare")

    @app.get("/<int:size>")
    def page(size: int):
        rows = [
            {
                "href": f"/initiatives/{i}",
                "title": f"Initiatief {i:06d} met een titel",
                "note": "Visievorming · 12 dagen in deze fase",
            }
            for i in range(size // 120 + 1)
        ]
        return render_template_string(BARE_TEMPLATE, title="Pagina", rows=rows)

    return app


def sql_replayer(raw, statements: list):
    cursor = raw.cursor()

    def run() -> None:
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        raw.rollback()

    return run


def timed(fn) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


# -- one size ---------------------------------------------------------------------------------


def prepare(
    city: City, facts: dict, app, clients: dict, only: list[str] | None = None
) -> dict[str, tuple]:
    """Each page's request, the replay of its statements and a bare render of its size."""
    recorder = Recorder(app.extensions["verbinding"].engine)
    bare = bare_app().test_client()
    raw = city.engine.raw_connection()
    work = {}
    for name, who, url in pages(facts):
        if only and not any(part in name for part in only):
            continue
        client = clients[who]

        def get(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        get()  # warm
        size = len(get().data)
        statements = recorder.capture(get)
        replay = sql_replayer(raw, statements)
        replay()

        def render(size=size):
            assert bare.get(f"/{size}").status_code == 200

        render()
        work[name] = (get, replay, render, size, len(statements))
    event.remove(recorder.engine, "before_cursor_execute", recorder._note)
    return work


KEYS = ("page", "cpu", "base", "base_cpu", "ratio", "cpu_ratio")


def one_round(work: dict[str, tuple], results: dict[str, dict]) -> None:
    """Every page once, each followed by its baseline (interleaved)."""
    for name, (get, replay, render, size, count) in work.items():
        page_wall, page_cpu = timed(get)
        sql_wall, sql_cpu = timed(replay)
        render_wall, render_cpu = timed(render)
        r = results.setdefault(name, {k: [] for k in KEYS} | {"size": size, "statements": count})
        r["cpu_ratio"].append(page_cpu / (sql_cpu + render_cpu))
        r["page"].append(page_wall)
        r["cpu"].append(page_cpu)
        r["base"].append(sql_wall + render_wall)
        r["base_cpu"].append(sql_cpu + render_cpu)
        r["ratio"].append(page_wall / (sql_wall + render_wall))


def report(size: int, results: dict[str, dict]) -> bool:
    print(f"\n{size:,} initiatives: page ms (wall) | CPU ms | bare SQL + bare render ms | "
          "page / baseline (target <= 3) | by CPU | bytes | statements")  # fmt: skip
    ok = True
    for name, r in results.items():
        ratio = statistics.median(r["ratio"])
        ok = ok and ratio <= 3
        ms = [x * 1000 for x in r["page"]]
        print(f"  {name:28} {spread(ms, '{:.1f}'):>22} | "
              f"{statistics.median(r['cpu']) * 1000:7.1f} | "
              f"{statistics.median(r['base']) * 1000:7.2f} | {spread(r['ratio'])} "
              f"{'OK' if ratio <= 3 else 'MISS'} | {statistics.median(r['cpu_ratio']):.2f} | "
              f"{r['size']:,} | {r['statements']}")  # fmt: skip
    return ok


def growth(first: dict, last: dict, sizes: tuple[int, int]) -> bool:
    """Each page's CPU at the larger size over the smaller, taken round by round (the two
    sizes were measured in the same rounds, so the machine's speed is the same on both)."""
    print(f"\ngrowth {sizes[0]:,} -> {sizes[1]:,} initiatives (page CPU time at the larger size "
          "over the smaller, in the same round; median and range; target <= 1.2; beside it the "
          "wall time's, which on PostgreSQL holds the server's work)")  # fmt: skip
    ok = True
    for name in first:
        rounds = [b / a for a, b in zip(first[name]["cpu"], last[name]["cpu"], strict=True)]
        walls = [b / a for a, b in zip(first[name]["page"], last[name]["page"], strict=True)]
        g = statistics.median(rounds)
        ok = ok and g <= 1.2
        print(f"  {name:28} {spread(rounds):>20}  {'OK' if g <= 1.2 else 'MISS'}   "
              f"wall {spread(walls)}")  # fmt: skip
    return ok


def rss_growth(facts: dict, clients: dict, requests: int) -> float:
    mix = pages(facts)

    def run(count: int) -> None:
        for i in range(count):
            _name, who, url = mix[i % len(mix)]
            clients[who].get(url)

    run(min(requests, 500))  # warm: caches fill, the allocator settles
    gc.collect()
    before = rss_mib()
    started = time.perf_counter()
    run(requests)
    gc.collect()
    grown = rss_mib() - before
    print(f"\nRSS over {requests:,} mixed requests ({time.perf_counter() - started:.0f} s): "
          f"{before:.1f} -> {before + grown:.1f} MiB, growth {grown:.1f} MiB "
          f"(target <= {10 * requests / 10_000:.1f} MiB)")  # fmt: skip
    return grown


def web_move(
    facts: dict,
    client,
    rounds: int,
    baseline: tuple[float, float] | None = None,
    per_round: int = 10,
) -> float:
    """POST a move and follow the redirect to the initiative page; CPU time each. Beside it,
    the move over the member's page's bare baseline (``baseline``: its SQL through the DB-API
    and a bare Flask render of its size, wall and CPU ms) measured in the same run: the move's
    cost in units of this machine's speed, which drifts between sessions (the ms target is
    absolute)."""
    item = facts["item"]
    page = client.get(f"/initiatives/{item}").text
    triggers = ["forth", "back"] if "/moves/forth" in page else ["back", "forth"]
    cpu_ms: list[float] = []
    #: and by the clock: what the database's own work adds (a slow statement the CPU hides)
    wall_ms: list[float] = []
    moved = [0]
    collecting = {"started": 0.0, "spent": 0.0, "runs": 0}

    def collected(phase: str, _info: dict) -> None:  # the garbage collector's share of a move
        if phase == "start":
            collecting["started"] = time.process_time()
        else:
            collecting["spent"] += time.process_time() - collecting["started"]
            collecting["runs"] += 1

    def move() -> None:
        page = client.get(f"/initiatives/{item}").text  # not timed: the page the member saw
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token, "no form on the initiative page"
        trigger = triggers[moved[0] % 2]
        gc.callbacks.append(collected)
        start, began = time.process_time(), time.perf_counter()
        response = client.post(
            f"/initiatives/{item}/moves/{trigger}",
            data={"csrf_token": token.group(1)},
            follow_redirects=True,
        )
        cpu_ms.append((time.process_time() - start) * 1000)
        wall_ms.append((time.perf_counter() - began) * 1000)
        gc.callbacks.remove(collected)
        assert response.status_code == 200, response.status_code
        moved[0] += 1

    for _ in range(2):
        move()
    cpu_ms.clear()
    wall_ms.clear()
    collecting.update(spent=0.0, runs=0)
    medians = []
    for _ in range(rounds):
        start = len(cpu_ms)
        for _ in range(per_round):
            move()
        medians.append(statistics.median(cpu_ms[start:]))
    median = statistics.median(medians)
    print(f"\na move through the site (POST + redirected page, dated steps carried): "
          f"{spread(medians, '{:.1f}')} ms CPU  (target <= 20 ms)  "
          f"{'OK' if median <= 20 else 'MISS'}; wall {statistics.median(wall_ms):.1f} ms; "
          f"the garbage collector "
          f"{collecting['spent'] * 1000 / len(cpu_ms):.2f} ms of it on average "
          f"({collecting['runs'] / len(cpu_ms):.2f} runs)")  # fmt: skip
    if baseline:
        wall, cpu = baseline
        print(f"  = {median / wall:.2f}x the member's page's bare baseline of this run by wall "
              f"({wall:.2f} ms), {median / cpu:.2f}x by CPU ({cpu:.2f} ms): the move in units "
              f"of this machine's speed")  # fmt: skip
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, action="append",
                        help="city sizes, ascending (default: 10000 and 100000)")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--url", action="append",
                        help="an empty database to fill, one per size in the order of the sizes "
                        "(default: a new SQLite file each)")  # fmt: skip
    parser.add_argument("--page", action="append",
                        help="measure only the pages whose name holds this (repeatable); "
                        "then no move and no RSS run")  # fmt: skip
    args = parser.parse_args()
    sizes = sorted(args.size or [10_000, 100_000])
    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    urls = args.url or [f"sqlite:///{tmp / f'pages-{size}.db'}" for size in sizes]
    if len(urls) != len(sizes):
        parser.error(f"give one --url per size ({len(sizes)})")
    # a city of each size, each in its own database, measured in the same rounds
    cities: dict[int, tuple] = {}
    for size, url in zip(sizes, urls, strict=True):
        city = City(url)
        print(f"database: {city.engine.dialect.name}, {size:,} initiatives", flush=True)
        facts = add_group(city)
        with city.sessions() as s:
            last_step = s.scalar(select(Step.id).order_by(Step.id.desc()).limit(1)) or 0
        grow(city, size - city.initiatives, last_step)
        app = make_app(city, tmp / str(size))
        clients = {"anonymous": app.test_client(), "member": logged_in(app, RESIDENT),
                   "coach": logged_in(app, "coach@example.nl")}  # fmt: skip
        cities[size] = (city, facts, app, clients, prepare(city, facts, app, clients, args.page))
    settle_gc()  # as `verbinding serve` does once its app is built (engine/serving.py)
    measured: dict[int, dict] = {size: {} for size in sizes}
    for number in range(args.rounds):  # the sizes alternate, their order too
        for size in sizes if number % 2 == 0 else sizes[::-1]:
            one_round(cities[size][4], measured[size])
    ok = True
    for size in sizes:
        ok = report(size, measured[size]) and ok
    if len(sizes) > 1:
        ok = growth(measured[sizes[0]], measured[sizes[-1]], (sizes[0], sizes[-1])) and ok
    cpu = 0.0
    if not args.page:
        city, facts, app, clients, _ = cities[sizes[-1]]
        member = measured[sizes[-1]].get("initiative (member)")
        base = None
        if member:
            base = (statistics.median(member["base"]) * 1000,
                    statistics.median(member["base_cpu"]) * 1000)  # fmt: skip
        cpu = web_move(facts, clients["member"], args.rounds, base)
        grown = rss_growth(facts, clients, args.requests)
        ok = ok and grown <= 10 * args.requests / 10_000
    for city, _, app, _, _ in cities.values():
        app.extensions["verbinding"].engine.dispose()
        city.engine.dispose()
    return 0 if ok and cpu <= 20 else 1


if __name__ == "__main__":
    sys.exit(main())
