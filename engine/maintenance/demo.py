"""The Voermanhaven's zelfbeheer in the demo: the association, the agreement, three tasks and
some months of history. Safe to run twice: what exists is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.maintenance.agreement import active_agreement, save_agreement
from engine.maintenance.association import get_association, members_of, save_association
from engine.maintenance.occurrences import mark_done, mark_missed
from engine.maintenance.tasks import create_task, materialise
from engine.models import Initiative, MaintenanceTask, Occurrence, Person
from engine.timeutil import local_date, zone

TITLE = "Groen op de Voermanhaven"
ASSOCIATION = "Bewonersvereniging Voermanhaven"
KVK = "41012345"
#: e-mail → place in the association (the initiator chairs it and is its contact)
BOARD = {
    "pieter@example.nl": "chair",
    "anna@example.nl": "treasurer",
    "fatima@example.nl": "member",
}


@dataclass(frozen=True)
class DemoTask:
    title: str
    description: str
    rule: str
    rota: tuple[str, ...]
    notes: tuple[str, ...]


TASKS = (
    DemoTask(
        "Plantenbakken water geven",
        "Alle bakken langs de kade, ook de hoek bij de brug. De regenton staat bij nummer 12.",
        "FREQ=WEEKLY;BYMONTH=5,6,7,8,9;BYDAY=SA",
        ("fatima@example.nl", "anna@example.nl", "pieter@example.nl"),
        ("Alles water gegeven, de lavendel bloeit.", "Twee gieters per bak, het was warm."),
    ),
    DemoTask(
        "Afvoerput bij de kade schoonmaken",
        "Bladeren en zwerfvuil uit de put halen, zodat het regenwater weg kan.",
        "FREQ=MONTHLY;BYDAY=1MO",
        ("pieter@example.nl", "anna@example.nl"),
        ("Put was vol bladeren, nu weer schoon.", "Alleen wat zwerfvuil, snel klaar."),
    ),
    DemoTask(
        "Voorjaarsschoonmaak van de kade",
        "Met de hele straat: onkruid wieden, bankjes schoonmaken, nieuwe planten waar nodig.",
        "FREQ=YEARLY;BYMONTH=4;BYDAY=1SA",
        ("anna@example.nl", "fatima@example.nl", "pieter@example.nl"),
        ("Met twaalf buren de kade opgeknapt.",),
    ),
)
AGREEMENT = (
    "De vereniging geeft de planten water, wiedt onkruid, houdt de afvoerput schoon en ruimt "
    "zwerfvuil op. Eens per jaar is er een voorjaarsschoonmaak met de hele straat.",
    "De gemeente blijft eigenaar van de grond, snoeit de bomen, vervangt kapotte bankjes en "
    "haalt het groenafval op na de voorjaarsschoonmaak.",
)


def register_association(
    session: Session, item: Initiative, group: list[Person], now: datetime, name: str = ASSOCIATION
) -> None:
    """The association every resident of the quay joined (the initiator chairs it)."""
    roles = {p.id: BOARD.get(p.email, "member") for p in group}
    contact = next(p.id for p in group if BOARD.get(p.email) == "chair")
    save_association(
        session, group[0], item.id, name=name, kvk_number=KVK, contact_person_id=contact,
        members=roles, now=now,
    )  # fmt: skip


def _evening(day, tz: str, hours: int = 19) -> datetime:
    return datetime.combine(day, time(hours), tzinfo=zone(tz))


def _history(session: Session, task: MaintenanceTask, spec: DemoTask, now: datetime) -> None:
    """The turns before today: mostly done with a note, now and then missed."""
    tz = config_of(session).timezone
    materialise(session, task, now, since=task.starts_on)
    turns = session.scalars(
        select(Occurrence)
        .where(
            Occurrence.task_id == task.id,
            Occurrence.status == "planned",
            Occurrence.due_date < local_date(now, tz),
        )
        .order_by(Occurrence.due_date)
    ).all()
    for number, turn in enumerate(turns):
        who = session.get(Person, turn.assignee_id) if turn.assignee_id else None
        if who is None:
            continue
        if number % 4 == 2:
            mark_missed(
                session, who, task.initiative_id, turn.id, now=_evening(turn.due_date, tz, 22),
                note="Op vakantie en vergeten te ruilen.",
            )  # fmt: skip
        else:
            mark_done(
                session, who, task.initiative_id, turn.id, now=_evening(turn.due_date, tz),
                note=spec.notes[number % len(spec.notes)],
            )  # fmt: skip


def load_maintenance(session: Session, people: dict[str, Person], now: datetime) -> str:
    """Give the Voermanhaven its agreement, tasks and history, if it has none yet."""
    tz = config_of(session).timezone
    item = session.scalar(select(Initiative).where(Initiative.title == TITLE))
    if item is None or item.state != "maintenance":
        return "no Voermanhaven in maintenance"
    done = []
    association = get_association(session, item.id)
    if association is None or len(members_of(session, association.id)) < 2:
        group = [people[e] for e in BOARD]
        register_association(session, item, group, item.stage_entered_dt)
        association = get_association(session, item.id)
        done.append("association")
    chair = people["pieter@example.nl"]
    registered = association.registered_dt if association is not None else None
    started = registered or item.stage_entered_dt
    if active_agreement(session, item.id) is None:
        save_agreement(
            session, chair, item.id, association_duties=AGREEMENT[0],
            municipality_duties=AGREEMENT[1], start_date=local_date(item.stage_entered_dt, tz),
            now=item.stage_entered_dt + timedelta(hours=2),
        )  # fmt: skip
        done.append("agreement")
    titles = set(
        session.scalars(
            select(MaintenanceTask.title).where(MaintenanceTask.initiative_id == item.id)
        )
    )
    for spec in TASKS:
        if spec.title in titles:
            continue
        task = create_task(
            session, chair, item.id, title=spec.title, description=spec.description,
            rule=spec.rule, starts_on=local_date(started, tz),
            volunteer_ids=[people[e].id for e in spec.rota],
            now=started + timedelta(hours=3),
        )  # fmt: skip
        _history(session, task, spec, now)
        materialise(session, task, now)
        done.append(spec.title)
    if done:
        from engine.maintenance.reminders import replan

        replan(session, {item.id}, now)
    return ", ".join(done) if done else "already there"
