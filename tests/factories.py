"""Small factories that build realistic objects in one call."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts import create_person
from engine.models import Initiative, Neighbourhood, Person
from engine.operations import create_initiative, join_initiative

_counter = itertools.count(1)


def person(session: Session, now: datetime, name: str | None = None, **kw) -> Person:
    n = next(_counter)
    return create_person(
        session,
        email=kw.pop("email", f"bewoner{n}@example.nl"),
        name=name or f"Bewoner {n}",
        now=now,
        **kw,
    )


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
    **kw,
) -> Initiative:
    initiator = initiator or person(session, now, "Anna de Vries")
    item = create_initiative(
        session,
        initiator,
        workflow=workflow,
        neighbourhood_id=neighbourhood(session).id,
        title=title,
        description=description,
        now=now,
        **kw,
    )
    for _ in range(members):
        join_initiative(session, person(session, now), item.id, now)
    return item


# --- helpers for the operation tests (tests/engine/test_ops_*.py) ---------------------------


def coach(session: Session, now: datetime, name: str = "Procesbegeleider Noord") -> Person:
    """A municipal process coach (staff role 'coach')."""
    return person(session, now, name, role="coach")


def event_count(session: Session, initiative_id: int, kind: str | None = None) -> int:
    """Events of an initiative counted in the database (a fresh query, after autoflush)."""
    from sqlalchemy import func

    from engine.models import Event

    query = select(func.count()).select_from(Event).where(Event.initiative_id == initiative_id)
    if kind is not None:
        query = query.where(Event.kind == kind)
    return session.scalar(query)


def events_of(session: Session, initiative_id: int, kind: str | None = None) -> list:
    from engine.models import Event

    query = select(Event).where(Event.initiative_id == initiative_id).order_by(Event.id)
    if kind is not None:
        query = query.where(Event.kind == kind)
    return list(session.scalars(query))


def stored_state(session: Session, initiative_id: int) -> dict:
    """What the database holds about an initiative: to check that a refusal wrote nothing."""
    from engine.models import Decision, Invitation, Membership, StagePlan, Step, Vote

    def rows(*columns, order) -> list[tuple]:
        model = columns[0].class_
        return [
            tuple(r)
            for r in session.execute(
                select(*columns).where(model.initiative_id == initiative_id).order_by(order)
            )
        ]

    initiative = session.execute(
        select(
            Initiative.version,
            Initiative.state,
            Initiative.title,
            Initiative.description,
            Initiative.visibility,
            Initiative.graph_key,
            Initiative.is_paused,
            Initiative.pause_reason,
            Initiative.last_activity_dt,
        ).where(Initiative.id == initiative_id)
    ).one()
    votes = session.execute(
        select(Vote.decision_id, Vote.person_id, Vote.choice)
        .join(Decision)
        .where(Decision.initiative_id == initiative_id)
        .order_by(Vote.id)
    ).all()
    return {
        "initiative": tuple(initiative),
        "events": event_count(session, initiative_id),
        "members": rows(Membership.person_id, Membership.role, order=Membership.id),
        "invitations": rows(Invitation.email, Invitation.accepted_dt, order=Invitation.id),
        "plans": rows(
            StagePlan.stage_key,
            StagePlan.position,
            StagePlan.is_skipped,
            StagePlan.target_date,
            order=StagePlan.id,
        ),
        "steps": rows(
            Step.id,
            Step.stage_key,
            Step.title,
            Step.owner_id,
            Step.due_date,
            Step.position,
            Step.is_done,
            order=Step.id,
        ),
        "decisions": rows(Decision.id, Decision.status, order=Decision.id),
        "votes": [tuple(v) for v in votes],
    }


# --- helpers for the route × role test and the browser tests --------------------------------

PASSWORD = "wachtwoord-123"
#: the roles a visitor can have towards one initiative, besides being anonymous
ROLE_PEOPLE = ("outsider", "member", "initiator", "partner", "coach", "admin")


def people_in_every_role(session: Session, now: datetime) -> dict[str, Person]:
    """A resident outside the group, a member, an initiator, a partner, a coach and an admin.

    They share the password :data:`PASSWORD`; :func:`group_initiative` gives the three
    residents their roles in an initiative.
    """
    names = {
        "outsider": ("Kees Buitenstaander", "resident"),
        "member": ("Fatima El Amrani", "resident"),
        "initiator": ("Anna de Vries", "resident"),
        "partner": ("Marieke Jansen", "resident"),
        "coach": ("Sanne Visser", "coach"),
        "admin": ("Beheerder Verbinding", "admin"),
    }
    return {
        key: person(session, now, name, role=role, password=PASSWORD)
        for key, (name, role) in names.items()
    }


def group_initiative(
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


def password_reset_token(session: Session, person: Person, now: datetime) -> str:
    """A valid one-time password-reset token for a person (as the mailed link carries)."""
    import secrets
    from datetime import timedelta

    from engine.accounts import RESET_HOURS, _hash_token
    from engine.models import PasswordReset

    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            person_id=person.id,
            token_hash=_hash_token(token),
            created_dt=now,
            expires_dt=now + timedelta(hours=RESET_HOURS),
        )
    )
    session.flush()
    return token


#: the smallest file the documents module accepts as a PDF
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def document(
    session: Session, item: Initiative, uploader: Person, now: datetime, *,
    filename: str = "ontwerp-kade.pdf", stage_key: str | None = None, storage=None,
):  # fmt: skip
    """A PDF attached to an initiative: stored for real when given a ``Storage``, else a row."""
    import uuid

    from engine.models import Document

    if storage is not None:
        from engine.operations.documents import attach_document

        return attach_document(
            session, uploader, item.id, filename=filename, data=PDF_BYTES, storage=storage,
            now=now, stage_key=stage_key,
        )  # fmt: skip
    row = Document(
        initiative_id=item.id,
        stage_key=stage_key,
        filename=filename,
        content_type="application/pdf",
        size=len(PDF_BYTES),
        storage_name=f"test-{item.id}-{uuid.uuid4().hex}.pdf",
        uploaded_by_id=uploader.id,
        created_dt=now,
    )
    session.add(row)
    session.flush()
    return row


def support_request(session: Session, item: Initiative, requester: Person, now: datetime):
    """An open support request: the residents ask the municipality to remove asphalt."""
    from engine.models import SupportRequest

    row = SupportRequest(
        initiative_id=item.id,
        kind="works",
        description="Graag de stroken asfalt langs de kade weghalen.",
        stage_key=item.state,
        status="submitted",
        requested_by_id=requester.id,
        created_dt=now,
    )
    session.add(row)
    session.flush()
    return row


# --- helpers for the support-request and coach tests (issue 4) -------------------------------


def staff(session: Session, now: datetime, role: str = "coach", name: str | None = None) -> Person:
    """A municipal process coach or an admin, with the factories' password."""
    return person(session, now, name or f"Procesbegeleider {next(_counter)}", role=role,
                  password=PASSWORD)  # fmt: skip


def filed_request(
    session: Session,
    item: Initiative,
    member: Person,
    now: datetime,
    *,
    kind: str = "works",
    description: str = "Graag de stroken asfalt langs de kade weghalen.",
    respond_days: int = 10,
    stage_key: str | None = None,
):
    """A support request filed the way a member files one (with its respond-by and event)."""
    from engine.operations import file_support_request

    return file_support_request(
        session, member, item.id, kind=kind, description=description, now=now,
        stage_key=stage_key, respond_days=respond_days,
    )  # fmt: skip


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


# --- helpers for the initiative page tests (tests/web/test_initiatives*.py, test_plan*.py,
# test_members*.py, test_documents*.py) --------------------------------------------------------


_HASHES: dict[str, str] = {}


def resident(session: Session, now: datetime, name: str | None = None, **kw) -> Person:
    """A person who logs in with :data:`PASSWORD` (hashed once per run: hashing is slow)."""
    from werkzeug.security import generate_password_hash

    if PASSWORD not in _HASHES:
        _HASHES[PASSWORD] = generate_password_hash(PASSWORD)
    someone = person(session, now, name, **kw)
    someone.password_hash = _HASHES[PASSWORD]
    session.flush()
    return someone


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

    group = [resident(session, now, "Anna de Vries")]
    item = initiative(session, now, workflow=workflow, initiator=group[0], **kw)
    for name in ["Bram Bakker", "Cor Jansen", "Dewi Smit", "Eva Mulder"][:members]:
        someone = resident(session, now, name)
        join_initiative(session, someone, item.id, now)
        group.append(someone)
    if visibility != "public":
        set_visibility(session, group[0], item.id, visibility, now)
    return item, group


def browse_as(client, someone: Person | None = None, locale: str = "en"):
    """A browser session in English (the message ids), logged in as ``someone`` if given."""
    from tests.support import login

    client.get(f"/language/{locale}?next=/")
    if someone is not None:
        login(client, someone.email, PASSWORD)
    return client


def submit(client, initiative_id: int, url: str, data: dict | None = None, **kw):
    """POST a form of the initiative page as a browser would: with the page's hidden fields."""
    import re

    from tests.support import CSRF_RE

    page = client.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    payload = {"csrf_token": CSRF_RE.search(page).group(1)}
    version = re.search(r'name="expected_version" value="(\d+)"', page)
    if version:
        payload["expected_version"] = version.group(1)
    payload.update(data or {})
    return client.post(url, data=payload, **kw)


# --- maintenance (zelfbeheer): an association, an agreement, a task with its rota -----------


def complete_association(
    session: Session,
    item: Initiative,
    now: datetime,
    *,
    name: str = "Bewonersvereniging Voermanhaven",
    kvk_number: str | None = "41012345",
    members: dict[int, str] | None = None,
):
    """A complete residents' association: every resident member of the initiative joins it,
    the first initiator chairs it and is its contact person."""
    from engine.maintenance.association import save_association
    from engine.models import Membership

    group = session.scalars(
        select(Membership)
        .where(Membership.initiative_id == item.id, Membership.role != "coach")
        .order_by(Membership.id)
    ).all()
    initiator = next(m.person for m in group if m.role == "initiator")
    if members is None:
        members = {m.person_id: "member" for m in group}
        members[initiator.id] = "chair"
    return save_association(
        session, initiator, item.id, name=name, kvk_number=kvk_number,
        contact_person_id=initiator.id, members=members, now=now,
    )  # fmt: skip


def recurring_task(
    session: Session,
    item: Initiative,
    actor: Person,
    now: datetime,
    *,
    title: str = "Plantenbakken water geven",
    rule: str = "FREQ=WEEKLY;BYDAY=SA",
    volunteers: list[int] | None = None,
    starts_on=None,
):
    """A recurring task with a rota (by default everyone in the association, in joining order)."""
    from engine.maintenance.tasks import create_task
    from engine.models import AssociationMember
    from engine.timeutil import local_date

    if volunteers is None:
        volunteers = list(
            session.scalars(
                select(AssociationMember.person_id)
                .join(AssociationMember.person)
                .where(AssociationMember.association_id == _association_id(session, item))
                .order_by(AssociationMember.id)
            )
        )
    return create_task(
        session, actor, item.id, title=title, rule=rule,
        starts_on=starts_on or local_date(now), volunteer_ids=volunteers, now=now,
    )  # fmt: skip


def _association_id(session: Session, item: Initiative) -> int:
    from engine.models import Association

    return session.scalar(select(Association.id).where(Association.initiative_id == item.id))


def find_person_by_email(session: Session, email: str) -> Person | None:
    from engine.accounts import find_person

    return find_person(session, email)


def failed_mail(session: Session, now: datetime, to_addr: str = "onbereikbaar@example.nl"):
    """An outbox message that could not be delivered (for the operator's retry)."""
    import uuid

    from engine.mail import queue_message

    row = queue_message(
        session, key=f"test-failed:{uuid.uuid4().hex}", to_addr=to_addr, to_name=None,
        person_id=None, subject="Herinnering", body_text="Tekst", body_html=None, headers=None,
        now=now, mail_from="Verbinding <noreply@example.nl>",
    )  # fmt: skip
    row.status, row.attempts, row.last_error = "failed", 5, "550 mailbox unavailable"
    session.flush()
    return row
