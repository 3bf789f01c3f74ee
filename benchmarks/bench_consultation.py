"""Benchmark of the consultation page (issue 12): its time against the bare SQL it needs.

    python benchmarks/bench_consultation.py [--reactions 5000] [--rounds 7]
                                            [--url postgresql+psycopg://…/bench]

A wijkvisie with an open consultation holding ``--reactions`` posts: ideas and reactions (one
in 17 hidden, one in 5 answered by the group), a reply under every third and a support on every
other (from 200 neighbours). The page is read through the Flask test client (the whole app, in
this process) by a signed-in neighbour and by the initiator (who also reads the open reports):
first page, an older page and the most supported first; each is compared with a **baseline**
measured in the same round: the very statements the page sent (captured on a warm request),
replayed through the DB-API cursor of the same database, plus a bare Flask + Jinja render of a
page of the same size in bytes (as bench_pages does). Target: page <= 3x that baseline (bare
SQL + bare render), by wall time; the ratio by CPU time is printed beside it (steadier on a
loaded machine).
Rounds are interleaved (page, baseline, next page …); each figure is the median over the
rounds with its range.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_caseload import NOW, PASSWORD, City  # noqa: E402
from bench_pages import (  # noqa: E402
    Recorder,
    bare_app,
    logged_in,
    make_app,
    spread,
    sql_replayer,
    timed,
)
from sqlalchemy import insert, select  # noqa: E402

from engine.accounts import create_person  # noqa: E402
from engine.consultations.operations import open_consultation  # noqa: E402
from engine.models import Membership, Person  # noqa: E402
from engine.models.consultations import ConsultationPost, ConsultationSupport  # noqa: E402
from engine.operations import create_initiative  # noqa: E402
from engine.timeutil import local_date  # noqa: E402

INITIATOR, NEIGHBOUR = "anna@bench.nl", "kees@bench.nl"


def build(city: City, reactions: int) -> dict:
    """The initiative, its consultation and ``reactions`` posts (tops and replies together)."""
    with city.sessions() as s:
        anna = create_person(s, email=INITIATOR, name="Anna de Vries", password=PASSWORD, now=NOW)
        create_person(s, email=NEIGHBOUR, name="Kees Buur", password=PASSWORD, now=NOW)
        item = create_initiative(
            s, anna, workflow="wijkvisie", neighbourhood_id=city.hoods[0],
            title="Wijkvisie Paddepoel", description="Samen een wijkvisie schrijven.", now=NOW,
        )  # fmt: skip
        s.execute(insert(Membership), [
            {"initiative_id": item.id, "person_id": pid, "role": "member", "joined_dt": NOW}
            for pid in city.people[1:4]
        ])  # fmt: skip
        found = open_consultation(
            s, anna, initiative_id=item.id, question="Wat vind je van de conceptvisie?",
            ends_on=local_date(NOW) + timedelta(days=30), now=NOW,
        )  # fmt: skip
        neighbours = city.people[10:]
        tops = reactions * 3 // 4
        rows = [
            {"consultation_id": found.id, "initiative_id": item.id,
             "kind": "idea" if n % 2 else "reaction", "author_id": neighbours[n % len(neighbours)],
             "body": f"Idee {n}: meer groen en bankjes bij het winkelcentrum, en een veilige "
                     "oversteek voor de kinderen.",
             "created_dt": NOW + timedelta(minutes=n), "is_from_group": False,
             "is_from_coach": False, "version": 1,
             "hidden_dt": NOW if n % 17 == 0 else None,
             "outcome": "adopted" if n % 5 == 0 else None}
            for n in range(tops)
        ]  # fmt: skip
        ids = list(s.scalars(insert(ConsultationPost).returning(ConsultationPost.id), rows))
        s.execute(insert(ConsultationPost), [
            {"consultation_id": found.id, "initiative_id": item.id, "kind": "reply",
             "parent_id": ids[(n * 3) % len(ids)], "author_id": city.people[1 + n % 3],
             "body": "Dank je, we nemen het mee.", "created_dt": NOW + timedelta(days=1),
             "is_from_group": True, "is_from_coach": False, "version": 1}
            for n in range(reactions - tops)
        ])  # fmt: skip
        s.execute(insert(ConsultationSupport), [
            {"post_id": i, "person_id": neighbours[(k * 7) % len(neighbours)], "created_dt": NOW}
            for k, i in enumerate(ids[::2])
        ])  # fmt: skip
        s.commit()
        assert s.scalar(select(Person.id).where(Person.email == NEIGHBOUR))
        return {"item": item.id, "older": ids[len(ids) // 2]}


def measure(city: City, facts: dict, app, rounds: int) -> dict[str, dict]:
    url = f"/initiatives/{facts['item']}/consultation"
    clients = {"neighbour": logged_in(app, NEIGHBOUR), "initiator": logged_in(app, INITIATOR)}
    pages = [
        ("neighbour, first page", "neighbour", url),
        ("initiator, first page", "initiator", url),
        ("neighbour, older page", "neighbour", f"{url}?voor={facts['older']}"),
        ("neighbour, most supported", "neighbour", f"{url}?volgorde=steun"),
    ]
    recorder = Recorder(app.extensions["verbinding"].engine)
    bare = bare_app().test_client()
    raw = city.engine.raw_connection()
    work = {}
    for name, who, path in pages:
        client = clients[who]

        def get(client=client, path=path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return len(response.data)

        size = get()
        statements = recorder.capture(get)
        replay = sql_replayer(raw, statements)
        replay()

        def render(size=size):
            assert bare.get(f"/{size}").status_code == 200

        work[name] = (get, replay, render, size, len(statements))
    times: dict[str, dict[str, list[float]]] = {
        n: {"page": [], "sql": [], "bare": [], "page_cpu": [], "bare_cpu": []} for n in work
    }
    for _ in range(rounds):
        for name, (get, replay, render, _size, _n) in work.items():
            page_wall, page_cpu = timed(get)
            sql_wall, sql_cpu = timed(replay)
            render_wall, render_cpu = timed(render)
            times[name]["page"].append(page_wall * 1000)
            times[name]["sql"].append(sql_wall * 1000)
            times[name]["bare"].append((sql_wall + render_wall) * 1000)
            times[name]["page_cpu"].append(page_cpu * 1000)
            times[name]["bare_cpu"].append((sql_cpu + render_cpu) * 1000)
    raw.close()
    return {
        name: {**times[name], "bytes": work[name][3], "statements": work[name][4]} for name in work
    }


def report(results: dict[str, dict]) -> bool:
    """Print the table; True when every page is within 3x its baseline (bare SQL + bare
    render) by wall time."""
    ok = True
    print(f"{'page':26} {'stmts':>5} {'KiB':>4}  {'page ms':>18}  {'bare SQL ms':>16}  "
          f"{'SQL+render ms':>16}  {'ratio (wall)':>17}  {'CPU ms':>6}  {'by CPU':>6}")  # fmt: skip
    for name, r in results.items():
        ratios = [p / b for p, b in zip(r["page"], r["bare"], strict=True)]
        cpu = [p / max(b, 1e-3) for p, b in zip(r["page_cpu"], r["bare_cpu"], strict=True)]
        ok &= statistics.median(ratios) <= 3
        print(f"{name:26} {r['statements']:5d} {r['bytes'] / 1024:4.0f}  {spread(r['page']):>18}"
              f"  {spread(r['sql']):>16}  {spread(r['bare']):>16}  {spread(ratios):>17}"
              f"  {statistics.median(r['page_cpu']):6.1f}"
              f"  {statistics.median(cpu):6.1f}")  # fmt: skip
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reactions", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--url", help="a database URL (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        city = City(args.url or f"sqlite:///{tmp}/bench.db")
        facts = build(city, args.reactions)
        app = make_app(city, Path(tmp) / "instance")
        print(f"{args.reactions:,} reactions on {city.engine.dialect.name}, {args.rounds} rounds "
              "(median, range)", flush=True)  # fmt: skip
        ok = report(measure(city, facts, app, args.rounds))
        app.extensions["verbinding"].close()
        city.engine.dispose()
    print("target (page <= 3x bare SQL + bare render):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
