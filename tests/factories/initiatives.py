"""Initiatives: one with a group, one for every role, many bare rows for list tests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Initiative, Neighbourhood, Person
from engine.operations import create_initiative, join_initiative
from tests.factories.people import person


def neighbourhood(session: Session, name: str = "Paddepoel") -> Neighbourhood:
    return session.scalars(select(Neighbourhood).where(Neighbourhood.name == name)).one()


def initiative(
    session: Session,
    now: datetime,
    *,
    workflow: str = "proefproces",
    initiator: Person | None = None,
    members: int = 0,
    title: str = "Groen op de Voermanhaven",
    description: str = "Meer groen en bankjes op de kade, onderhouden door de buurt zelf.",
    join_policy: str = "open",
    **kw,
) -> Initiative:
    """An initiative started by ``initiator`` with ``members`` neighbours who joined.

    Its group is open (neighbours join at once), so a test builds its group in one call; a
    test about join requests passes ``join_policy="approval"``, the product's default.
    """
    initiator = initiator or person(session, now, "Anna de Vries")
    item = create_initiative(
        session,
        initiator,
        workflow=workflow,
        neighbourhood_id=neighbourhood(session).id,
        title=title,
        description=description,
        now=now,
        join_policy=join_policy,
        **kw,
    )
    for _ in range(members):
        bring_in(session, item, initiator, person(session, now), now)
    return item


def bring_in(session: Session, item: Initiative, initiator: Person, someone: Person, now):
    """``someone`` joins the group: at once where it is open, else asked and let in."""
    if item.join_policy == "open":
        return join_initiative(session, someone, item.id, now)
    from engine.operations import approve_join_request, request_to_join

    asked = request_to_join(session, someone, item.id, now)
    return approve_join_request(session, initiator, item.id, asked.id, now)


def initiative_with_group(
    session: Session,
    now: datetime,
    *,
    members: int = 1,
    workflow: str = "proefproces",
    visibility: str = "public",
    **kw,
) -> tuple[Initiative, list[Person]]:
    """An initiative and its residents (initiator first), who log in with :data:`PASSWORD`."""
    from engine.operations import set_visibility

    group = [person(session, now, "Anna de Vries")]
    item = initiative(session, now, workflow=workflow, initiator=group[0], **kw)
    for name in ["Bram Bakker", "Cor Jansen", "Dewi Smit", "Eva Mulder"][:members]:
        someone = person(session, now, name)
        bring_in(session, item, group[0], someone, now)
        group.append(someone)
    if visibility != "public":
        set_visibility(session, group[0], item.id, visibility, now)
    return item, group


def newcomer(session: Session, item: Initiative, now: datetime, name: str | None = None) -> Person:
    """Someone who joins the group at ``now``: after its decisions so far were opened."""
    someone = person(session, now, name)
    join_initiative(session, someone, item.id, now)
    return someone


def initiative_for_roles(
    session: Session,
    now: datetime,
    people: dict[str, Person],
    *,
    workflow: str = "vergroening",
    visibility: str = "public",
    title: str = "Groen op de Voermanhaven",
) -> Initiative:
    """An initiative run by ``people['initiator']`` with a member and a partner (Terra College)."""
    from engine.operations import accept_invitation, invite, set_visibility

    item = initiative(session, now, workflow=workflow, initiator=people["initiator"], title=title)
    join_initiative(session, people["member"], item.id, now)
    invitation = invite(
        session, people["initiator"], item.id, email=people["partner"].email, role="partner",
        organisation="Terra College", now=now,
    )  # fmt: skip
    accept_invitation(session, people["partner"], invitation.token, now)
    if visibility != "public":
        set_visibility(session, people["initiator"], item.id, visibility, now)
    return item


def bulk_initiatives(
    session: Session,
    now: datetime,
    count: int,
    *,
    title: str = "Bulk",
    workflow: str = "proefproces",
    neighbourhood_name: str = "Paddepoel",
    state: str = "proposal",
    **columns,
) -> list[int]:
    """``count`` bare initiative rows inserted at once (no plan, no history): for list tests."""
    from sqlalchemy import insert

    from engine.workflows.versions import latest_version

    version = latest_version(session, workflow)
    hood = neighbourhood(session, neighbourhood_name)
    rows = [
        {
            "title": f"{title} {i:04d}",
            "description": "",
            "neighbourhood_id": hood.id,
            "workflow_version_id": version.id,
            "state": state,
            "graph_key": "",
            "visibility": "public",
            "is_paused": False,
            "stage_entered_dt": now,
            "last_activity_dt": now,
            "created_dt": now,
            "version": 1,
            **columns,
        }
        for i in range(count)
    ]
    session.execute(insert(Initiative), rows)
    return list(
        session.scalars(
            select(Initiative.id).where(Initiative.title.like(f"{title} %")).order_by(Initiative.id)
        )
    )
