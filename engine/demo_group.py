"""The demo's groups as they form: neighbours ask to join and an initiator lets them in, one
request still waits for an answer, and a process coach starts an initiative on behalf of
residents and invites the first of them. Safe to run twice: what exists is left as it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Initiative, JoinRequest, Neighbourhood, Person
from engine.operations import (
    approve_join_request,
    create_initiative,
    invite,
    join_initiative,
    request_to_join,
)
from engine.operations.common import member_role

#: what neighbours write when they ask to join (in turn)
MESSAGES = [
    "Ik woon om de hoek en denk graag mee.",
    "Ik heb tijd op de woensdagmiddag en help graag met de bijeenkomsten.",
    "Mijn kinderen spelen hier elke dag; ik wil graag meedoen.",
]

#: a request that waits for the initiators of Wijkvisie Paddepoel
WAITING = (
    "Wijkvisie Paddepoel",
    "henk@example.nl",
    "Ik woon sinds kort aan de Pleiadenlaan en denk graag mee over de speelplekken in de wijk.",
)

ON_BEHALF_TITLE = "Groene speelplek Selwerd"
ON_BEHALF_WIJK = "Selwerd"
ON_BEHALF_DESCRIPTION = (
    "Ouders uit Selwerd vroegen de gemeente om hulp bij een groenere speelplek achter de "
    "Siersteenlaan. De procesbegeleider zette dit initiatief voor hen klaar; zodra de eerste "
    "bewoner de uitnodiging aanneemt, neemt de buurt het over."
)
#: the resident the coach invited to lead it (no account yet)
ON_BEHALF_INVITEE = "karin@example.nl"


def join_group(
    session: Session,
    item: Initiative,
    initiator: Person,
    newcomers: list[Person],
    clock: datetime,
) -> datetime:
    """The neighbours come in as the group's join policy says; return the clock after."""
    for number, person in enumerate(newcomers):
        clock += timedelta(days=2)
        if item.join_policy == "open":
            join_initiative(session, person, item.id, clock)
            continue
        request = request_to_join(
            session, person, item.id, clock, message=MESSAGES[number % len(MESSAGES)]
        )
        approve_join_request(session, initiator, item.id, request.id, clock + timedelta(hours=7))
    return clock


def _waiting_request(session: Session, people: dict[str, Person], now: datetime) -> str | None:
    title, email, message = WAITING
    item = session.scalar(select(Initiative).where(Initiative.title == title))
    person = people[email]
    if item is None or member_role(session, item.id, person.id) is not None:
        return None
    asked = session.scalar(
        select(JoinRequest.id).where(
            JoinRequest.initiative_id == item.id, JoinRequest.person_id == person.id
        )
    )
    if asked is not None:
        return None
    request_to_join(session, person, item.id, now - timedelta(days=1), message=message)
    return f"{person.name} asks to join {title}"


def _on_behalf(session: Session, people: dict[str, Person], now: datetime) -> str | None:
    if session.scalar(select(Initiative.id).where(Initiative.title == ON_BEHALF_TITLE)):
        return None
    wijk = session.scalars(
        select(Neighbourhood).where(Neighbourhood.name == ON_BEHALF_WIJK)
    ).first()
    if wijk is None:
        return None
    sanne = people["sanne@example.nl"]
    started = now - timedelta(days=3)
    item = create_initiative(
        session, sanne, workflow="vergroening", neighbourhood_id=wijk.id,
        title=ON_BEHALF_TITLE, description=ON_BEHALF_DESCRIPTION, now=started,
    )  # fmt: skip
    invite(
        session, sanne, item.id, email=ON_BEHALF_INVITEE, role="initiator",
        now=started + timedelta(hours=2),
    )  # fmt: skip
    return f"{ON_BEHALF_TITLE}, started by {sanne.name} on behalf of residents"


def load_group_life(session: Session, people: dict[str, Person], now: datetime) -> str:
    """One request waiting for an answer; one initiative waiting for its first resident."""
    found = [
        done
        for done in (_waiting_request(session, people, now), _on_behalf(session, people, now))
        if done is not None
    ]
    return ", ".join(found) if found else "already there"
