"""Two people acting at once never corrupt an initiative: one wins, the other is told plainly.

These tests commit for real, through separate sessions and connections, on SQLite and
PostgreSQL. Every test makes its own initiative; committed rows stay in the test database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from engine.db import conflict_guard, make_session_factory, unit_of_work
from engine.errors import Conflict, InvalidInput
from engine.models import Event, Initiative, Person, Step
from engine.operations import add_step, fire_transition
from tests import factories

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


def test_second_plan_edit_on_a_stale_initiative_is_a_conflict(factory, now):
    iid, anna_id = _new_initiative(factory, now, "Coenderspark")
    before = _history(factory, iid)
    a, b = factory(), factory()
    try:
        # both have the initiative in hand (the identity map holds it only while we do)
        in_hand = a.get(Initiative, iid), b.get(Initiative, iid)
        assert in_hand[0].version == in_hand[1].version
        with conflict_guard():
            add_step(a, a.get(Person, anna_id), iid, stage_key="proposal", title="Van A",
                     now=now + MIN)  # fmt: skip
            a.commit()
        with pytest.raises(Conflict):
            with conflict_guard():
                add_step(b, b.get(Person, anna_id), iid, stage_key="proposal", title="Van B",
                         now=now + 2 * MIN)  # fmt: skip
                b.commit()
        b.rollback()
    finally:
        a.close()
        b.close()
    after = _history(factory, iid)
    assert after["steps"] == ["Van A"]
    assert after["events"] == before["events"] + 1
    assert after["version"] == before["version"] + 1


def test_unit_of_work_rolls_back_the_loser(factory, now):
    iid, anna_id = _new_initiative(factory, now, "Voermanhaven")
    before = _history(factory, iid)
    stale = factory()
    try:
        in_hand = stale.get(Initiative, iid)
        with unit_of_work(factory) as s:
            add_step(s, s.get(Person, anna_id), iid, stage_key="proposal", title="Eerst",
                     now=now + MIN)  # fmt: skip
        with pytest.raises(Conflict):
            with conflict_guard():
                add_step(stale, stale.get(Person, anna_id), iid, stage_key="proposal",
                         title="Te laat", now=now + 2 * MIN)  # fmt: skip
                stale.commit()
        stale.rollback()
        assert in_hand.title == "Voermanhaven"
    finally:
        stale.close()
    # the loser tries again on what is there now, and it works
    with unit_of_work(factory) as s:
        add_step(s, s.get(Person, anna_id), iid, stage_key="proposal", title="Opnieuw",
                 now=now + 3 * MIN)  # fmt: skip
    after = _history(factory, iid)
    assert after["steps"] == ["Eerst", "Opnieuw"]
    assert after["events"] == before["events"] + 2


# --- truly at the same time -----------------------------------------------------------------


WRITES = ("INSERT", "UPDATE", "DELETE")


def _race(engine, factory, work: Callable[[Session, int], None]) -> list[object]:
    """Run ``work`` in two threads; both finish reading before either writes.

    A barrier holds each thread at its first write statement, so both have made their checks
    on the same state; then they race to write and commit. Returns "ok" or the exception.
    """
    barrier = threading.Barrier(2, timeout=30)
    armed = threading.local()

    def hold_first_write(conn, cursor, statement, parameters, context, executemany):
        if getattr(armed, "on", False) and statement.lstrip().upper().startswith(WRITES):
            armed.on = False
            barrier.wait()

    results: list[object] = [None, None]

    def worker(index: int) -> None:
        try:
            with unit_of_work(factory) as s:
                armed.on = True
                work(s, index)
            results[index] = "ok"
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            results[index] = exc
            barrier.abort()

    event.listen(engine, "before_cursor_execute", hold_first_write)
    try:
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
    finally:
        event.remove(engine, "before_cursor_execute", hold_first_write)
    return results


def _one_winner(results: list[object]) -> None:
    assert sorted(type(r).__name__ if r != "ok" else "ok" for r in results) == [
        "Conflict",
        "ok",
    ], results


def test_two_people_start_at_the_same_moment(committed_engine, factory, now):
    iid, anna_id = _new_initiative(factory, now, "Tegels eruit, groen erin")
    with factory() as s:
        (bram_id,) = [m.person_id for m in s.get(Initiative, iid).memberships][1:]
    before = _history(factory, iid)

    def work(s: Session, index: int) -> None:
        who = s.get(Person, (anna_id, bram_id)[index])
        fire_transition(s, who, iid, "start", now + (index + 1) * MIN, note=f"door {index}")

    _one_winner(_race(committed_engine, factory, work))
    after = _history(factory, iid)
    assert after["kinds"].count("transition") == 1
    assert after["events"] == before["events"] + 1
    assert (after["state"], after["version"]) == ("visioning", before["version"] + 1)


def test_two_people_add_a_step_at_the_same_moment(committed_engine, factory, now):
    iid, anna_id = _new_initiative(factory, now, "Bankjes op de kade")
    before = _history(factory, iid)

    def work(s: Session, index: int) -> None:
        add_step(s, s.get(Person, anna_id), iid, stage_key="proposal", title=f"Stap {index}",
                 now=now + (index + 1) * MIN)  # fmt: skip

    _one_winner(_race(committed_engine, factory, work))
    after = _history(factory, iid)
    assert len(after["steps"]) == 1
    assert after["kinds"].count("step.added") == 1
    assert after["events"] == before["events"] + 1
    assert after["version"] == before["version"] + 1


# --- the version counter that makes all of this work ----------------------------------------


def test_every_change_bumps_the_version_even_in_the_same_instant(session, now):
    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    versions = [session.scalar(select(Initiative.version).where(Initiative.id == item.id))]
    for title in ("Flyers", "Buurtavond"):
        add_step(session, anna, item.id, stage_key="proposal", title=title, now=now)
        versions.append(session.scalar(select(Initiative.version).where(Initiative.id == item.id)))
    assert versions[0] < versions[1] < versions[2]
