"""Benchmark of the meetings list with the paper sign-up list counted in (issue 12). Prints
the ratio against the same list without the paper count, measured in the same run.

    python benchmarks/bench_meetings.py [--meetings 200] [--answers 60] [--paper 15]
                                        [--rounds 15] [--url postgresql+psycopg://…/bench]

One initiative with ``meetings`` meetings, each with ``answers`` answers (going, maybe, not)
and ``paper`` lines of its paper list, bulk-inserted. In interleaved rounds:

1. before: the list's statement as it was before the paper list (answers counted by a join);
2. after: :func:`engine.meetings.queries.meetings_of`, which adds the paper list's sum as a
   correlated subquery per meeting.

The report gives the median and spread (lowest–highest) of the rounds and the ratio of the
medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import case, func, insert, select  # noqa: E402

from engine.accounts import create_person  # noqa: E402
from engine.db import make_engine, make_session_factory  # noqa: E402
from engine.demo import load_places  # noqa: E402
from engine.meetings.queries import meetings_of  # noqa: E402
from engine.migrate import upgrade_engine  # noqa: E402
from engine.models import Document, Neighbourhood, Person  # noqa: E402
from engine.models.meetings import Meeting, MeetingAnswer, PaperSignup  # noqa: E402
from engine.operations import create_initiative  # noqa: E402
from engine.workflows.versions import sync_workflows  # noqa: E402

NOW = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)


def build(url: str, meetings: int, answers: int, paper: int):
    engine = make_engine(url)
    upgrade_engine(engine)
    sessions = make_session_factory(engine)
    with sessions() as s:
        sync_workflows(s, NOW)
        load_places(s)
        anna = create_person(s, email="anna@example.nl", name="Anna", password="x" * 12, now=NOW)
        wijk = s.scalar(select(Neighbourhood.id).limit(1))
        item = create_initiative(
            s, anna, workflow="wijkvisie", neighbourhood_id=wijk, title="Wijkvisie",
            description="Een wijkvisie met bijeenkomsten.", now=NOW,
        )  # fmt: skip
        s.execute(insert(Person), [
            {"email": f"buur{i}@example.nl", "name": f"Buur {i}", "is_active": True,
             "role": "resident", "created_dt": NOW, "locale": "nl"}
            for i in range(answers)
        ])  # fmt: skip
        people = list(s.scalars(select(Person.id).where(Person.email.like("buur%"))))
        s.execute(insert(Meeting), [
            {"initiative_id": item.id, "title": f"Bijeenkomst {m}", "place": "Buurthuis",
             "start_dt": NOW + timedelta(days=m), "end_dt": NOW + timedelta(days=m, hours=3),
             "address": "Pop Dijkemaweg 9", "accessibility": "", "created_by_id": anna.id,
             "created_dt": NOW, "version": 1}
            for m in range(meetings)
        ])  # fmt: skip
        ids = list(s.scalars(select(Meeting.id).where(Meeting.initiative_id == item.id)))
        s.execute(insert(MeetingAnswer), [
            {"meeting_id": mid, "person_id": pid, "answer": ("going", "maybe", "not")[i % 3],
             "updated_dt": NOW}
            for mid in ids for i, pid in enumerate(people)
        ])  # fmt: skip
        if paper:
            s.execute(insert(PaperSignup), [
                {"meeting_id": mid, "name": f"Naam {n}", "people": 1 + n % 3,
                 "entered_by_id": anna.id, "created_dt": NOW}
                for mid in ids for n in range(paper)
            ])  # fmt: skip
        s.commit()
        return sessions, item.id


def before(session, initiative_id: int) -> int:
    """The list as it was read before the paper list: counts of the answers only."""
    going = func.count(case((MeetingAnswer.answer == "going", 1)))
    maybe = func.count(case((MeetingAnswer.answer == "maybe", 1)))
    rows = session.execute(
        select(Meeting, going, maybe, Document.filename)
        .outerjoin(MeetingAnswer, MeetingAnswer.meeting_id == Meeting.id)
        .outerjoin(Document, Document.id == Meeting.minutes_document_id)
        .where(Meeting.initiative_id == initiative_id)
        .group_by(Meeting.id, Document.filename)
        .order_by(Meeting.start_dt, Meeting.id)
    ).all()
    return len(rows)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--answers", type=int, default=60)
    parser.add_argument("--paper", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--url", help="an empty database to fill (default: a new SQLite file)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-meetings-"))
    url = args.url or f"sqlite:///{tmp / 'meetings.db'}"
    sessions, item_id = build(url, args.meetings, args.answers, args.paper)
    print(f"database: {sessions.kw['bind'].dialect.name}; {args.meetings} meetings × "
          f"{args.answers} answers × {args.paper} paper lines", flush=True)  # fmt: skip
    session = sessions()

    def after(s, initiative_id: int) -> int:
        return len(meetings_of(s, initiative_id))

    runs = {"before": before, "after": after}
    for run in runs.values():
        assert run(session, item_id) == args.meetings
        session.expire_all()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, run in runs.items():
            session.expire_all()
            start = time.perf_counter()
            run(session, item_id)
            times[name].append(time.perf_counter() - start)
    session.close()
    base = statistics.median(times["before"])
    for name, found in times.items():
        median = statistics.median(found)
        print(f"{name:7s} median {median * 1000:7.2f} ms  (runs {min(found) * 1000:.2f}–"
              f"{max(found) * 1000:.2f} ms)  {median / base:5.2f}x before")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
