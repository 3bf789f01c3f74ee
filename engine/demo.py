"""Demo data: Groningen's stadsdelen and wijken, residents, three example initiatives and one a
process coach started on behalf of residents (engine/demo_group.py).

Safe to run twice: what exists already (by e-mail, name or title) is left as it is.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts import create_person, find_person
from engine.config import config_of
from engine.demo_group import join_group, load_group_life
from engine.models import (
    District,
    Document,
    Elector,
    Initiative,
    Neighbourhood,
    Person,
    SupportRequest,
)
from engine.operations import (
    accept_invitation,
    add_step,
    cast_vote,
    complete_step,
    create_initiative,
    fire_transition,
    invite,
    list_moves,
    open_decision,
    set_target_date,
)
from engine.operations.common import machine_for
from engine.operations.support import respond_by_date
from engine.timeutil import local_date
from engine.workflows.process_plan import plan_of

DATA = Path(__file__).parent / "data" / "groningen-wijken.csv"
DEMO_PASSWORD = "verbinding-demo"

PEOPLE = [
    ("anna@example.nl", "Anna de Vries", "resident"),
    ("joost@example.nl", "Joost Bakker", "resident"),
    ("fatima@example.nl", "Fatima El Amrani", "resident"),
    ("pieter@example.nl", "Pieter Smit", "resident"),
    ("lotte@example.nl", "Lotte Hoekstra", "resident"),
    ("willem@example.nl", "Willem Kuipers", "resident"),
    ("marieke@example.nl", "Marieke Jansen", "resident"),
    ("henk@example.nl", "Henk Mulder", "resident"),
    ("sanne@example.nl", "Sanne Visser", "coach"),
    ("beheer@example.nl", "Beheerder Verbinding", "admin"),
]


@dataclass
class Story:
    title: str
    workflow: str
    wijk: str
    description: str
    initiator: str
    members: list[str]
    partners: list[tuple[str, str]]  # (e-mail, organisation)
    stages: int  # how many moves forward from the start
    started_days_ago: int
    association: str | None = None
    #: approval (neighbours ask, the initiator lets them in) or open (they join at once)
    join_policy: str = "approval"


STORIES = [
    Story(
        title="Wijkvisie Paddepoel",
        workflow="wijkvisie",
        wijk="Paddepoel",
        description=(
            "Bewoners van Paddepoel schrijven samen een wijkvisie: wat maakt de wijk fijn, wat "
            "kan beter en wat pakken we als eerste aan? Ondernemers van het winkelcentrum, "
            "verenigingen en scholen denken mee. De gemeente ondersteunt het proces; de "
            "bewoners bepalen hoe het gaat en hoe snel."
        ),
        initiator="anna@example.nl",
        members=["joost@example.nl", "fatima@example.nl", "willem@example.nl"],
        partners=[],
        stages=1,
        started_days_ago=75,
    ),
    Story(
        title="Toekomstplan Coenderspark",
        workflow="parkplan",
        wijk="Helpman",
        description=(
            "Een bewonersinitiatief maakt van de toekomstvisie voor het Coenderspark een "
            "uitvoerbaar plan, samen met Terra College, de exploitant van de Coendersborg en "
            "andere betrokkenen, ondersteund door de gemeente."
        ),
        initiator="lotte@example.nl",
        members=["joost@example.nl", "willem@example.nl"],
        partners=[
            ("marieke@example.nl", "Terra College"),
            ("henk@example.nl", "Coendersborg"),
        ],
        stages=2,
        started_days_ago=150,
    ),
    Story(
        title="Groen op de Voermanhaven",
        workflow="vergroening",
        wijk="Paddepoel",
        description=(
            "Meer groen en zitplekken op de kade van de Voermanhaven. De gemeente brengt "
            "stedenbouwkundige kennis in en haalt stroken asfalt weg; de bewoners richten de "
            "kade in en onderhouden die daarna zelf, via een vereniging waar iedere bewoner "
            "lid van is."
        ),
        initiator="pieter@example.nl",
        members=["anna@example.nl", "fatima@example.nl"],
        partners=[],
        stages=4,
        started_days_ago=300,
        association="Bewonersvereniging Voermanhaven",
        join_policy="open",  # every resident of the quay is welcome at once
    ),
]


def load_places(session: Session) -> tuple[int, int]:
    """Create the stadsdelen and wijken from the city's list; return how many were new."""
    districts = {d.name: d for d in session.scalars(select(District))}
    new_d = new_n = 0
    with DATA.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            district = districts.get(row["stadsdeel"])
            if district is None:
                district = districts[row["stadsdeel"]] = District(name=row["stadsdeel"])
                session.add(district)
                session.flush()
                new_d += 1
            exists = session.scalar(
                select(Neighbourhood.id).where(
                    Neighbourhood.district_id == district.id, Neighbourhood.name == row["wijk"]
                )
            )
            if exists is None:
                session.add(Neighbourhood(district_id=district.id, name=row["wijk"]))
                new_n += 1
    session.flush()
    return new_d, new_n


def load_people(session: Session, now: datetime) -> dict[str, Person]:
    people = {}
    for email, name, role in PEOPLE:
        person = find_person(session, email) or create_person(
            session, email=email, name=name, role=role, password=DEMO_PASSWORD, now=now
        )
        people[email] = person
    return people


class _Walker:
    """Takes an initiative through its stages the way a group would, with a history."""

    def __init__(self, session: Session, item: Initiative, people: list[Person], clock: datetime):
        self.session, self.item, self.people, self.clock = session, item, people, clock
        self.config = config_of(session)
        self.initiator = people[0]

    def tick(self, days: float) -> datetime:
        self.clock += timedelta(days=days)
        return self.clock

    def today(self) -> date:
        return local_date(self.clock, self.config.timezone)

    def plan_steps(self, finish: int | None = None) -> None:
        """Add the template's suggested steps of the current stage; finish some or all."""
        defn, _ = machine_for(self.session, self.item)
        stage = defn.stage(self.item.state)
        steps = []
        for i, suggestion in enumerate(stage.steps):
            owner = self.people[i % len(self.people)]
            due = self.today() + timedelta(days=10 + 7 * i)
            steps.append(
                add_step(
                    self.session,
                    self.initiator,
                    self.item.id,
                    stage_key=stage.id,
                    title=suggestion.nl,
                    owner_id=owner.id,
                    due_date=due,
                    now=self.tick(0.2),
                )  # fmt: skip
            )
        if stage.duration_days:
            set_target_date(
                self.session, self.initiator, self.item.id, stage_key=stage.id,
                target_date=self.today() + timedelta(days=stage.duration_days),
                now=self.tick(0.1),
            )  # fmt: skip
        for step in steps[: len(steps) if finish is None else finish]:
            owner = self.session.get(Person, step.owner_id) or self.initiator
            complete_step(self.session, owner, self.item.id, step.id, self.tick(3))

    def satisfy(self, move) -> None:
        """Do what the move's guards ask: documents, answered requests, an association."""
        defn, pm = machine_for(self.session, self.item)
        t = pm.graph.find(move.trigger, self.item.state)
        if t is None:  # not a move from here: firing it is refused anyway
            return
        asked = False  # one delivered request answers both support guards
        for guard in t.guards:
            if guard.name == "document_present":
                self.session.add(
                    Document(
                        initiative_id=self.item.id,
                        stage_key=self.item.state,
                        filename=f"ontwerp-{self.item.state}.pdf",
                        content_type="application/pdf",
                        size=48213,
                        storage_name=f"demo-{self.item.id}-{self.item.state}.pdf",
                        uploaded_by_id=self.initiator.id,
                        created_dt=self.tick(1),
                    )
                )
            elif guard.name in ("meeting_held", "min_supporters"):
                from engine.demo_meetings import satisfy_guard

                satisfy_guard(self.session, self.item, self.people, guard, self.tick(1))
            elif guard.name in ("support_requests_answered", "support_delivered") and not asked:
                asked = True
                filed = self.tick(2)
                self.session.add(
                    SupportRequest(
                        initiative_id=self.item.id,
                        kind="works",
                        description="Graag de stroken asfalt langs de kade weghalen.",
                        stage_key=self.item.state,
                        status="delivered",
                        requested_by_id=self.initiator.id,
                        created_dt=filed,
                        respond_by_date=respond_by_date(filed, self.config),
                        acknowledged_dt=filed + timedelta(days=1),
                        answered_dt=filed + timedelta(days=6),
                        answered_on=local_date(filed + timedelta(days=6), self.config.timezone),
                        answer="Akkoord: de wijkploeg haalt de stroken asfalt weg.",
                        delivered_dt=self.tick(1),
                        delivered_note="De stroken asfalt zijn weggehaald en afgevoerd.",
                    )
                )
        self.session.flush()

    def decide(self, move) -> None:
        if move.decision_rule is None:
            return
        decision = open_decision(
            self.session, self.initiator, self.item.id, move.trigger, self.tick(1),
            question="Zijn we het eens dat we verder gaan?",
        )  # fmt: skip
        # everyone who decides agrees (partners too: a majority vote waits for all of them)
        electorate = self.session.scalars(
            select(Person)
            .join(Elector, Elector.person_id == Person.id)
            .where(Elector.decision_id == decision.id)
            .order_by(Elector.person_id)
        ).all()
        for person in electorate:
            if decision.status != "open":
                break
            cast_vote(self.session, person, decision.id, "for", self.tick(0.5))

    def forward(self) -> None:
        moves = list_moves(self.session, self.initiator, self.item)
        order = plan_of(self.session, self.item, ()).path
        here = order.index(self.item.state)
        move = next(m for m in moves if order.index(m.dest) > here)
        self.satisfy(move)
        self.decide(move)
        fire_transition(
            self.session, self.initiator, self.item.id, move.trigger, self.tick(1),
            note="Besloten op de bewonersavond.",
        )  # fmt: skip
        self.session.refresh(self.item)


def load_story(session: Session, story: Story, people: dict[str, Person], now: datetime) -> bool:
    if session.scalar(select(Initiative.id).where(Initiative.title == story.title)):
        return False
    wijk = session.scalars(select(Neighbourhood).where(Neighbourhood.name == story.wijk)).first()
    assert wijk is not None, story.wijk
    clock = now - timedelta(days=story.started_days_ago)
    initiator = people[story.initiator]
    item = create_initiative(
        session, initiator, workflow=story.workflow, neighbourhood_id=wijk.id,
        title=story.title, description=story.description, now=clock,
        join_policy=story.join_policy,
    )  # fmt: skip
    group = [initiator, *(people[email] for email in story.members)]
    clock = join_group(session, item, initiator, group[1:], clock)
    for email, organisation in story.partners:
        clock += timedelta(days=3)
        invitation = invite(
            session, initiator, item.id, email=email, role="partner",
            organisation=organisation, now=clock,
        )  # fmt: skip
        accept_invitation(session, people[email], invitation.token, clock + timedelta(hours=5))
    walker = _Walker(session, item, group, clock + timedelta(days=1))
    days = (now - walker.clock).days / (story.stages + 1)
    for number in range(story.stages):
        walker.plan_steps()
        if number == story.stages - 1 and story.association:
            from engine.maintenance.demo import register_association

            register_association(session, item, group, walker.tick(2), story.association)
        walker.tick(max(days - 12, 1))
        walker.forward()
    walker.plan_steps(finish=1)
    return True


def load_coaching(session: Session, people: dict[str, Person], now: datetime) -> str:
    """Sanne coaches stadsdeel West; Coenderspark waits for an answer on a support request."""
    from engine.models import CoachAssignment
    from engine.operations import assign_coach, file_support_request

    done = []
    sanne = people["sanne@example.nl"]
    west = session.scalar(select(District).where(District.name == "West"))
    if west is not None and not session.scalar(
        select(CoachAssignment.id).where(
            CoachAssignment.coach_id == sanne.id, CoachAssignment.district_id == west.id
        )
    ):
        assign_coach(session, sanne, coach_id=sanne.id, district_id=west.id, now=now)
        done.append("Sanne Visser assigned to West")
    park = session.scalar(select(Initiative).where(Initiative.title == "Toekomstplan Coenderspark"))
    if park is not None:
        waiting = session.scalar(
            select(SupportRequest.id).where(
                SupportRequest.initiative_id == park.id, SupportRequest.status == "submitted"
            )
        )
        if waiting is None:
            file_support_request(
                session, people["lotte@example.nl"], park.id, kind="advice",
                description=(
                    "Kan een stedenbouwkundige van de gemeente meekijken naar de nieuwe "
                    "looproutes door het park, voordat we het plan indienen?"
                ),
                stage_key=park.state,
                # a while ago, so its respond-by is near (never before the group's last step)
                now=max(now - timedelta(days=12), park.last_activity_dt + timedelta(hours=1)),
            )  # fmt: skip
            done.append("an open support request for Coenderspark")
    return ", ".join(done) if done else "already there"


def load_demo(session: Session, now: datetime) -> str:
    """Load everything; return a short report."""
    new_d, new_n = load_places(session)
    people = load_people(session, now - timedelta(days=400))
    made = [s.title for s in STORIES if load_story(session, s, people, now)]
    coaching = load_coaching(session, people, now)
    groups = load_group_life(session, people, now)
    from engine.maintenance.demo import load_maintenance

    maintenance = load_maintenance(session, people, now)
    from engine.demo_survey import load_survey

    survey = load_survey(session, people, now)
    from engine.demo_consultation import load_consultation

    consultation = load_consultation(session, people, now)
    from engine.demo_meetings import load_meetings

    meetings = load_meetings(session, people, now)
    lines = [
        f"stadsdelen: {new_d} new; wijken: {new_n} new",
        f"people: {len(people)} (password for all demo accounts: {DEMO_PASSWORD})",
        "initiatives: " + (", ".join(made) if made else "already there"),
        f"coaching: {coaching}",
        f"groups: {groups}",
        f"maintenance: {maintenance}",
        f"survey: {survey}",
        f"consultation: {consultation}",
        f"meetings and support: {meetings}",
    ]
    return "\n".join(lines)
