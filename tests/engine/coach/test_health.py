"""Health, defined once: the caseload and the reminders agree on what "stalled" means, and the
maintenance signal reaches the coach's caseload."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from engine.coach.caseload import Filters, caseload, caseload_row
from engine.coach.health import STREAK_SIGNAL
from engine.config import config_of
from engine.maintenance.occurrences import mark_done, mark_missed
from engine.models import CoachAssignment, Occurrence
from engine.reminders.municipal import stalled_source
from tests import factories

DAY = timedelta(days=1)
WEEKLY_FRIDAY = "FREQ=WEEKLY;BYDAY=FR"  # NOW is Friday 27 November 2026

# --- stalled: the caseload and the reminder source take exactly the same initiatives ---------

#: how long before (negative) or after (positive) the stall limit an initiative was last active:
#: right at the edges, and anywhere within three days of it
_EDGES = st.sampled_from(
    [timedelta(microseconds=-1), timedelta(0), timedelta(microseconds=1), -DAY, DAY]
)
_NEARBY = st.integers(-3 * 86_400, 3 * 86_400).map(lambda s: timedelta(seconds=s))
_INITIATIVE = st.fixed_dictionaries(
    {"paused": st.booleans(), "final": st.booleans(), "offset": st.one_of(_EDGES, _NEARBY)}
)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(initiatives=st.lists(_INITIATIVE, min_size=1, max_size=6), stalled_days=st.integers(1, 90))
def test_the_caseload_and_the_stall_reminders_agree_on_what_stalled(
    session, now, monkeypatch, initiatives, stalled_days
):
    # both sides read the setting from the session's configuration, as in a running app
    monkeypatch.setitem(
        session.info, "config", replace(config_of(session), stalled_days=stalled_days)
    )
    limit = now - stalled_days * DAY
    nested = session.begin_nested()  # every example starts from the same empty city
    try:
        coach = factories.staff(session, now)
        west = factories.neighbourhood(session, "Paddepoel").district_id
        session.add(CoachAssignment(coach_id=coach.id, district_id=west, created_dt=now))
        expected, ids = set(), set()
        for n, spec in enumerate(initiatives):
            (iid,) = factories.bulk_initiatives(
                session, now, 1, title=f"Initiatief {n}", is_paused=spec["paused"],
                state="maintenance" if spec["final"] else "proposal",
                last_activity_dt=limit + spec["offset"],
            )  # fmt: skip
            ids.add(iid)
            if not spec["paused"] and not spec["final"] and spec["offset"] < timedelta(0):
                expected.add(iid)
        session.flush()

        reminded = {d.initiative_id for d in stalled_source(session, None, now)} & ids
        filtered = caseload(session, Filters(status="stalled", per_page=100), now=now)
        shown = caseload(session, Filters(per_page=100), now=now)
        by_status = {row.id for row in shown.rows if row.status == "stalled"}
        with_signal = {row.id for row in shown.rows if "stalled" in {s.kind for s in row.signals}}

        assert reminded == expected
        assert {row.id for row in filtered.rows} == expected
        assert by_status == expected
        assert with_signal == expected
    finally:
        nested.rollback()


# --- maintenance: a run of missed turns is a signal on the caseload ---------------------------


@pytest.fixture
def association(session, now):
    """An initiative of Anna, Bram and Cor whose association maintains it, with a weekly task."""
    item = factories.initiative(session, now, members=2, title="Groen op de Voermanhaven")
    anna = item.memberships[0].person
    factories.complete_association(session, item, now)
    task = factories.recurring_task(session, item, anna, now - 35 * DAY, rule=WEEKLY_FRIDAY)
    turns = list(
        session.scalars(
            select(Occurrence).where(Occurrence.task_id == task.id).order_by(Occurrence.due_date)
        )
    )
    return item, anna, turns


def _maintenance(session, now, item) -> list[tuple[str, str]]:
    row = caseload_row(session, item.id, now=now)
    return [(s.level, s.reason.render()) for s in row.signals if s.kind == "maintenance"]


def test_missed_turns_in_a_row_are_a_signal_on_the_caseload(session, now, association):
    item, anna, turns = association
    mark_done(session, anna, item.id, turns[0].id, now=now)
    for turn in turns[1 : 1 + STREAK_SIGNAL]:
        mark_missed(session, anna, item.id, turn.id, now=now)
    assert _maintenance(session, now, item) == [("warn", "Maintenance: 3 turns missed in a row.")]
    # the status filters and the CSV see the same row
    (row,) = caseload(session, Filters(search="Voermanhaven"), now=now).rows
    assert [s.kind for s in row.signals] == ["maintenance"]


def test_a_group_that_keeps_its_turns_has_no_maintenance_signal(session, now, association):
    item, anna, turns = association
    quiet = factories.initiative(session, now, title="Zonder onderhoud")
    for turn in turns[: STREAK_SIGNAL - 1]:  # two missed: not yet a run worth a signal
        mark_missed(session, anna, item.id, turn.id, now=now)
    assert _maintenance(session, now, item) == []
    mark_missed(session, anna, item.id, turns[STREAK_SIGNAL - 1].id, now=now)
    mark_done(session, anna, item.id, turns[STREAK_SIGNAL].id, now=now)  # the run is broken
    assert _maintenance(session, now, item) == []
    assert _maintenance(session, now, quiet) == []


def test_a_finished_initiative_in_self_management_still_shows_its_missed_turns(
    session, now, association
):
    item, anna, turns = association
    for turn in turns[:4]:
        mark_missed(session, anna, item.id, turn.id, now=now)
    item.state = "maintenance"  # the final stage: the caseload says "finished"
    session.flush()
    row = caseload_row(session, item.id, now=now)
    assert row.status == "finished"
    assert [s.reason.render() for s in row.signals] == ["Maintenance: 4 turns missed in a row."]


# --- a pause stops the group's clocks, not the municipality's ---------------------------------


def test_a_paused_group_raises_no_signal_of_its_own_clocks(session, now, association):
    from engine.operations import add_step, pause_initiative

    item, anna, turns = association
    for turn in turns[:STREAK_SIGNAL]:
        mark_missed(session, anna, item.id, turn.id, now=now)
    add_step(
        session, anna, item.id, stage_key=item.state, title="Bankjes schilderen",
        due_date=(now - 3 * DAY).date(), now=now - 10 * DAY,
    )  # fmt: skip
    factories.filed_request(session, item, anna, now - 30 * DAY, respond_days=10)
    running = caseload_row(session, item.id, now=now)
    assert {"maintenance", "overdue", "respond_by"} <= {s.kind for s in running.signals}
    pause_initiative(session, anna, item.id, reason="Winterstop", now=now)
    paused = caseload_row(session, item.id, now=now)
    assert paused.status == "paused"
    # the municipality's answer is still late; the group's steps and turns wait for it
    assert [s.kind for s in paused.signals] == ["respond_by"]
