"""Two people changing the initiative itself at once never corrupt it: one wins, the other is
told plainly. (Steps, documents and tasks, which do not collide with each other, are in
test_concurrency_details.py.)

These tests commit for real, through separate sessions and connections, on SQLite and
PostgreSQL. Every test makes its own initiative; committed rows stay in the test database.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.db import conflict_guard, make_session_factory, unit_of_work
from engine.errors import Conflict, InvalidInput
from engine.models import Event, Initiative, Person, Step
from engine.operations import (
    add_step,
    fire_transition,
    insert_stage,
    pause_initiative,
    update_initiative,
    update_step,
)
from tests import factories
from tests.engine.operations.races import one_winner, race

MIN = timedelta(minutes=1)


@pytest.fixture
def factory(committed_engine):
    return make_session_factory(committed_engine)


def _new_initiative(factory, now, title: str) -> tuple[int, int]:
    """A committed initiative with two residents, ready to start; (initiative id, initiator id)."""
    with unit_of_work(factory) as s:
        item = factories.initiative(s, now, members=1, title=title)
        return item.id, item.memberships[0].person_id


def _history(factory, iid: int) -> dict:
    with factory() as s:
        kinds = s.scalars(select(Event.kind).where(Event.initiative_id == iid)).all()
        row = s.execute(select(Initiative.state, Initiative.version).where(Initiative.id == iid))
        state, version = row.one()
        steps = s.scalars(select(Step.title).where(Step.initiative_id == iid)).all()
        return {
            "events": len(kinds),
            "kinds": sorted(kinds),
            "state": state,
            "version": version,
            "steps": sorted(steps),
        }


# --- one after the other, each with what it saw ---------------------------------------------


def test_second_transition_from_a_stale_page_is_a_conflict(factory, now):
    iid, anna_id = _new_initiative(factory, now, "Wijkvisie Paddepoel")
    before = _history(factory, iid)
    a, b = factory(), factory()
    try:
        seen_a = a.get(Initiative, iid).version
        seen_b = b.get(Initiative, iid).version
        with conflict_guard():
            fire_transition(
                a, a.get(Person, anna_id), iid, "start", now + MIN, expected_version=seen_a
            )
            a.commit()
        with pytest.raises(Conflict) as caught:
            with conflict_guard():
                fire_transition(
                    b, b.get(Person, anna_id), iid, "start", now + 2 * MIN, expected_version=seen_b
                )
                b.commit()
        b.rollback()
        assert "try again" in caught.value.message.render()
        # without the page's version, the move is simply no longer possible from here
        with pytest.raises(InvalidInput):
            fire_transition(b, b.get(Person, anna_id), iid, "start", now + 3 * MIN)
        b.rollback()
    finally:
        a.close()
        b.close()
    after = _history(factory, iid)
    assert after["events"] == before["events"] + 1
    assert after["kinds"].count("transition") == 1
    assert (after["state"], after["version"]) == ("visioning", before["version"] + 1)


def test_a_stage_change_from_a_stale_page_is_a_conflict(factory, now):
    iid, anna_id = _new_initiative(factory, now, "Coenderspark")
    with factory() as s:
        seen = s.get(Initiative, iid).version  # the page both look at
    with unit_of_work(factory) as s:
        pause_initiative(s, s.get(Person, anna_id), iid, reason="Zomervakantie", now=now + MIN,
                         expected_version=seen)  # fmt: skip
    before = _history(factory, iid)
    with pytest.raises(Conflict):
        with unit_of_work(factory) as s:
            insert_stage(s, s.get(Person, anna_id), iid, after="proposal", title="Buurtfeest",
                         description="", now=now + 2 * MIN, expected_version=seen)  # fmt: skip
    after = _history(factory, iid)
    assert after == before  # nothing of the stage, no event


def test_unit_of_work_rolls_back_the_loser(factory, now):
    iid, anna_id = _new_initiative(factory, now, "Voermanhaven")
    with unit_of_work(factory) as s:
        step = add_step(s, s.get(Person, anna_id), iid, stage_key="proposal", title="Eerst",
                        now=now)  # fmt: skip
        step_id, seen = step.id, step.version
    with unit_of_work(factory) as s:
        update_step(s, s.get(Person, anna_id), iid, step_id, title="Flyers", owner_id=None,
                    due_date=None, now=now + MIN, expected_version=seen)  # fmt: skip
    before = _history(factory, iid)
    with pytest.raises(Conflict):
        with unit_of_work(factory) as s:
            update_step(s, s.get(Person, anna_id), iid, step_id, title="Te laat",
                        owner_id=None, due_date=None, now=now + 2 * MIN,
                        expected_version=seen)  # fmt: skip
    assert _history(factory, iid) == before
    # the loser tries again on what is there now, and it works
    with unit_of_work(factory) as s:
        update_step(s, s.get(Person, anna_id), iid, step_id, title="Opnieuw", owner_id=None,
                    due_date=None, now=now + 3 * MIN, expected_version=seen + 1)  # fmt: skip
    after = _history(factory, iid)
    assert after["steps"] == ["Opnieuw"]
    assert after["events"] == before["events"] + 1


# --- truly at the same time -----------------------------------------------------------------


def test_two_people_start_at_the_same_moment(committed_engine, factory, now):
    iid, anna_id = _new_initiative(factory, now, "Tegels eruit, groen erin")
    with factory() as s:
        (bram_id,) = [m.person_id for m in s.get(Initiative, iid).memberships][1:]
    before = _history(factory, iid)

    def work(s: Session, index: int) -> None:
        who = s.get(Person, (anna_id, bram_id)[index])
        fire_transition(s, who, iid, "start", now + (index + 1) * MIN, note=f"door {index}",
                        expected_version=before["version"])  # fmt: skip

    one_winner(race(committed_engine, factory, work))
    after = _history(factory, iid)
    assert after["kinds"].count("transition") == 1
    assert after["events"] == before["events"] + 1
    assert (after["state"], after["version"]) == ("visioning", before["version"] + 1)


def test_two_people_change_the_title_at_the_same_moment(committed_engine, factory, now):
    iid, anna_id = _new_initiative(factory, now, "Bankjes op de kade")
    before = _history(factory, iid)

    def work(s: Session, index: int) -> None:
        seen = before["version"]
        update_initiative(s, s.get(Person, anna_id), iid, title=f"Bankjes {index}",
                          description="", now=now + MIN, expected_version=seen)  # fmt: skip

    one_winner(race(committed_engine, factory, work))
    after = _history(factory, iid)
    assert after["kinds"].count("updated") == 1
    assert after["version"] == before["version"] + 1


# --- the version counters that make all of this work ----------------------------------------


def test_every_change_of_the_initiative_bumps_its_version_even_in_the_same_instant(session, now):
    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    versions = [session.scalar(select(Initiative.version).where(Initiative.id == item.id))]
    for title in ("Flyers", "Buurtavond"):
        update_initiative(session, anna, item.id, title=title, description="", now=now)
        versions.append(session.scalar(select(Initiative.version).where(Initiative.id == item.id)))
    assert versions[0] < versions[1] < versions[2]


def test_every_change_of_a_step_bumps_its_version_not_the_initiatives(session, now):
    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    initiative_version = item.version
    step = add_step(session, anna, item.id, stage_key="proposal", title="Flyers", now=now)
    versions = [step.version]
    for title in ("Flyers rondbrengen", "Flyers drukken"):
        update_step(session, anna, item.id, step.id, title=title, owner_id=None, due_date=None,
                    now=now, expected_version=versions[-1])  # fmt: skip
        versions.append(session.scalar(select(Step.version).where(Step.id == step.id)))
    assert versions[0] < versions[1] < versions[2]
    assert session.scalar(select(Initiative.version).where(Initiative.id == item.id)) == (
        initiative_version
    )
