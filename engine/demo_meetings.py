"""The demo's meetings and support: Paddepoel's wijkavond (held, with minutes) and its Saturday
drop-in still to come; the residents who support the Voermanhaven plan, from several wijken.
Safe to run twice: what exists is left as it is.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.models import Document, Initiative, Neighbourhood, Person
from engine.models.meetings import Meeting, MeetingAnswer, PaperSignup, Supporter
from engine.reminders.planner import plan_for
from engine.timeutil import local_date, zone
from engine.workflows.definitions import GuardRef

PLACE = "Buurthuis De Paddepoel"
ADDRESS = "Pop Dijkemaweg 9, 9741 CB Groningen"
#: who supports the Voermanhaven plan, from which wijk, and whether their name shows
SUPPORT = [
    ("anna@example.nl", "Paddepoel", True),
    ("joost@example.nl", "Paddepoel", False),
    ("fatima@example.nl", "Paddepoel", True),
    ("pieter@example.nl", "Selwerd", False),
    ("marieke@example.nl", "Tuinwijk", True),
    ("henk@example.nl", "Selwerd", False),
    ("lotte@example.nl", None, False),
]


def _at(day, hour: int, minute: int, tz: str) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone(tz)).astimezone(zone("UTC"))


def satisfy_guard(
    session: Session, item: Initiative, people: list[Person], guard: GuardRef, now: datetime
) -> None:
    """What a group does for these guards while the demo walks it through its stages."""
    if guard.name == "min_supporters":
        have = set(session.scalars(select(Supporter.person_id).where(
            Supporter.initiative_id == item.id)))  # fmt: skip
        for person in people[: int(dict(guard.args).get("count", 1))]:
            if person.id not in have:
                session.add(Supporter(initiative_id=item.id, person_id=person.id,
                                      neighbourhood_id=item.neighbourhood_id, show_name=True,
                                      created_dt=now))  # fmt: skip
    elif guard.name == "meeting_held":
        tz = config_of(session).timezone
        day = local_date(now, tz) - timedelta(days=1)  # a design afternoon, the day before
        session.add(Meeting(initiative_id=item.id, title="Ontwerpmiddag",
                            start_dt=_at(day, 14, 0, tz), end_dt=_at(day, 17, 0, tz), place=PLACE,
                            address=ADDRESS, accessibility="", created_by_id=people[0].id,
                            created_dt=now - timedelta(days=14)))  # fmt: skip
    session.flush()


def _paddepoel(session: Session, people: dict[str, Person], now: datetime) -> str:
    item = session.scalar(select(Initiative).where(Initiative.title == "Wijkvisie Paddepoel"))
    if item is None:
        return "no Wijkvisie Paddepoel"
    if session.scalar(select(Meeting.id).where(Meeting.initiative_id == item.id)):
        return "Wijkvisie Paddepoel's meetings already there"
    tz = config_of(session).timezone
    anna = people["anna@example.nl"]
    today = local_date(now, tz)
    evening = today - timedelta(days=18)
    minutes = Document(
        initiative_id=item.id, stage_key=item.state, filename="verslag-wijkavond.pdf",
        content_type="application/pdf", size=38211,
        storage_name=f"demo-{item.id}-verslag-wijkavond.pdf", uploaded_by_id=anna.id,
        created_dt=_at(evening + timedelta(days=2), 10, 0, tz),
    )  # fmt: skip
    session.add(minutes)
    session.flush()
    held = Meeting(
        initiative_id=item.id, title="Wijkavond over de wijkvisie",
        start_dt=_at(evening, 19, 30, tz), end_dt=_at(evening, 21, 30, tz), place=PLACE,
        address=ADDRESS, capacity=60,
        accessibility="Drempelvrij, met ringleiding. Koffie en thee staan klaar.",
        created_by_id=anna.id, created_dt=_at(evening - timedelta(days=21), 12, 0, tz),
        minutes_document_id=minutes.id,
    )  # fmt: skip
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    drop_in = Meeting(
        initiative_id=item.id, title="Inloop op zaterdag: praat mee over de wijkvisie",
        start_dt=_at(saturday, 10, 0, tz), end_dt=_at(saturday, 13, 0, tz),
        place="Winkelcentrum Paddepoel, bij de bibliotheek", address="Paddepoelsterweg, Groningen",
        capacity=None, accessibility="Gelijkvloers; er zijn stoelen om even te zitten.",
        created_by_id=anna.id, created_dt=now - timedelta(days=5),
    )  # fmt: skip
    session.add_all([held, drop_in])
    session.flush()
    for email, meeting, answer in [
        ("joost@example.nl", held, "going"), ("fatima@example.nl", held, "going"),
        ("henk@example.nl", held, "going"), ("henk@example.nl", drop_in, "going"),
        ("marieke@example.nl", drop_in, "going"), ("pieter@example.nl", drop_in, "maybe"),
    ]:  # fmt: skip
        session.add(MeetingAnswer(meeting_id=meeting.id, person_id=people[email].id,
                                  answer=answer, updated_dt=now - timedelta(days=2)))  # fmt: skip
    # the sign-up sheet of an earlier drop-in, typed in by Anna: shown as "paper", counted in
    written = _at(evening - timedelta(days=7), 16, 0, tz)
    for name, count in [("Familie Bakker", 2), ("Mevrouw Dijkstra", 1)]:
        session.add(PaperSignup(meeting_id=held.id, name=name, people=count, entered_by_id=anna.id,
                                created_dt=written))  # fmt: skip
    session.flush()
    plan_for(session, item.id, now, sources=("meetings",))
    return "a wijkavond with minutes and a Saturday drop-in for Wijkvisie Paddepoel"


def _voermanhaven(session: Session, people: dict[str, Person], now: datetime) -> str:
    item = session.scalar(select(Initiative).where(Initiative.title == "Groen op de Voermanhaven"))
    if item is None:
        return "no Voermanhaven"
    have = set(session.scalars(select(Supporter.person_id).where(
        Supporter.initiative_id == item.id)))  # fmt: skip
    wijken = dict(session.execute(select(Neighbourhood.name, Neighbourhood.id)).all())
    added = 0
    for number, (email, wijk, show) in enumerate(SUPPORT):
        person = people[email]
        if person.id in have:
            continue
        session.add(Supporter(initiative_id=item.id, person_id=person.id,
                              neighbourhood_id=wijken.get(wijk) if wijk else None,
                              show_name=show,
                              created_dt=now - timedelta(days=40 - number)))  # fmt: skip
        added += 1
    session.flush()
    total = len(have) + added  # the report says what is there, a second run adds none
    return f"{total} supporters of the Voermanhaven plan ({added} new)"


def load_meetings(session: Session, people: dict[str, Person], now: datetime) -> str:
    return f"{_paddepoel(session, people, now)}; {_voermanhaven(session, people, now)}"
