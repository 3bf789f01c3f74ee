"""CPU per request of two pages the web layer renders: a member's initiative page (a group of
MEMBERS with STEPS open steps in its stage) and the public list ``/`` (CITY initiatives).

    .venv/bin/python benchmarks/render_cost.py [--members 40] [--steps 40] [--city 500]

Runs the real app (Flask test client) on a fresh SQLite file; prints the median CPU time
(process time) and the size of each page. Used before and after the lean-rendering changes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--city", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--profile", help="profile this path's requests ({item}: the initiative); top calls"
    )
    args = parser.parse_args()

    from engine.db import make_session_factory, utcnow
    from engine.operations import add_step
    from tests import factories
    from tests.conftest import prepared_database
    from web import create_app

    tmp = Path(tempfile.mkdtemp(prefix="render-cost-"))
    engine = prepared_database("sqlite", tmp, "render")
    url = engine.url.render_as_string(hide_password=False)
    now = utcnow() - timedelta(days=1)
    with make_session_factory(engine)() as session:
        item = factories.initiative(session, now, members=args.members - 1)
        anna = item.memberships[0].person
        for n in range(args.steps):
            owner = item.memberships[n % len(item.memberships)].person_id
            add_step(
                session, anna, item.id, stage_key="proposal", title=f"Stap {n}", now=now,
                owner_id=owner, due_date=(now + timedelta(days=10 + n)).date(),
            )  # fmt: skip
        factories.bulk_initiatives(session, now, args.city, title="Buurtplan")
        session.commit()
        email, item_id = anna.email, item.id
    engine.dispose()
    app = create_app(
        {
            "VERBINDING_DATABASE_URL": url,
            "VERBINDING_INSTANCE_PATH": str(tmp / "instance"),
            "VERBINDING_SECRET_KEY": "bench",
            "TESTING": True,
        }
    )
    member = app.test_client()
    factories.browse_as(member, None, "nl")
    from tests.support import login

    login(member, email, factories.PASSWORD)
    anonymous = app.test_client()
    pages = [
        ("initiative page (member)", member, f"/initiatives/{item_id}"),
        ("initiative page (anonymous)", anonymous, f"/initiatives/{item_id}"),
        ("/ (anonymous)", anonymous, "/"),
        ("/ (member)", member, "/"),
    ]
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        args.profile = args.profile.replace("{item}", str(item_id))
        assert member.get(args.profile).status_code == 200, args.profile
        profiler.enable()
        for _ in range(args.rounds):
            member.get(args.profile).get_data()
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(70)
        stats.sort_stats("tottime").print_stats(40)
        return
    for name, client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.get_data())
        cpu = []
        for _ in range(args.rounds):
            start = time.process_time()
            client.get(path).get_data()
            cpu.append(time.process_time() - start)
        print(
            f"{name:30} {statistics.median(cpu) * 1000:8.1f} ms CPU (median of {args.rounds}, "
            f"min {min(cpu) * 1000:.1f})  {size / 1024:8.1f} KiB"
        )


if __name__ == "__main__":
    main()
