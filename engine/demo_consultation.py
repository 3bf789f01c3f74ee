"""The demo's consultation: the Paddepoel wijkvisie asks the neighbourhood about its draft, and
neighbours outside the group answer with ideas and reactions, support each other's ideas and
reply; the group has said what it did with one idea. Safe to run twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.consultations.operations import mark_idea, open_consultation, post_idea, reply, support
from engine.models import Initiative, Person
from engine.models.consultations import Consultation
from engine.timeutil import local_date

TITLE = "Wijkvisie Paddepoel"
QUESTION = (
    "Wat moet er volgens jou in de wijkvisie van Paddepoel staan? Wat maakt de wijk fijn, wat "
    "kan beter, en wat pakken we als eerste aan?"
)
#: (who, kind, what they write)
POSTS = [
    ("pieter@example.nl", "idea",
     "Maak van het grasveld achter het winkelcentrum een buurttuin met bankjes, zodat jong en "
     "oud elkaar daar kunnen treffen."),
    ("lotte@example.nl", "idea",
     "Een veilige oversteek bij de Pleiadenlaan voor de kinderen die naar school fietsen."),
    ("marieke@example.nl", "reaction",
     "Fijn dat jullie dit doen. Denk ook aan de studenten in de wijk: vraag het ook op de "
     "campus."),
    ("henk@example.nl", "idea",
     "Meer speelplekken voor kinderen tot twaalf jaar, met schaduw in de zomer."),
]  # fmt: skip


def load_consultation(session: Session, people: dict[str, Person], now: datetime) -> str:
    item = session.scalar(select(Initiative).where(Initiative.title == TITLE))
    if item is None:
        return "no wijkvisie"
    if session.scalar(select(Consultation.id).where(Consultation.initiative_id == item.id)):
        return "already there"
    anna, joost = people["anna@example.nl"], people["joost@example.nl"]
    clock = now - timedelta(days=6)
    found = open_consultation(
        session, anna, initiative_id=item.id, question=QUESTION,
        ends_on=local_date(now) + timedelta(days=24), now=clock,
    )  # fmt: skip
    posted = []
    for number, (email, kind, body) in enumerate(POSTS):
        posted.append(
            post_idea(
                session,
                people[email],
                initiative_id=item.id,
                consultation_id=found.id,
                kind=kind,
                body=body,
                now=clock + timedelta(days=1, hours=3 * number),
            )  # fmt: skip
        )
    garden, crossing, _reaction, play = posted
    later = clock + timedelta(days=3)
    for email, idea in (
        ("lotte@example.nl", garden), ("marieke@example.nl", garden),
        ("henk@example.nl", garden), ("pieter@example.nl", crossing),
        ("marieke@example.nl", play),
    ):  # fmt: skip
        support(session, people[email], initiative_id=item.id, post_id=idea.id, now=later)
    reply(
        session, joost, initiative_id=item.id, parent_id=garden.id, now=later,
        body="Goed idee! We nemen het mee naar de wijkavond.",
    )  # fmt: skip
    reply(
        session, people["henk@example.nl"], initiative_id=item.id, parent_id=crossing.id,
        now=later + timedelta(hours=2), body="Helemaal mee eens, het is daar 's ochtends druk.",
    )  # fmt: skip
    mark_idea(
        session, anna, initiative_id=item.id, post_id=garden.id, outcome="adopted",
        reason="De buurttuin staat in de conceptvisie als eerste project.",
        now=clock + timedelta(days=5),
    )  # fmt: skip
    return f"an open consultation on {TITLE} with {len(posted)} posts"
