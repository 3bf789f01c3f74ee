"""The city overview: initiatives per stage and district, days per stage, answers on time."""

from __future__ import annotations

import statistics
from datetime import timedelta

import pytest

from engine.coach.overview import OWN_STAGE, city_overview
from engine.models import Event
from engine.operations import (
    accept_support_request,
    decline_support_request,
    insert_stage,
    withdraw_support_request,
)
from tests import factories

DAY = timedelta(days=1)


def _moved(session, item, when, from_stage, to_stage):
    """History as a transition leaves it (arranged directly: only the events matter here)."""
    session.add(
        Event(
            initiative_id=item.id, actor_id=None, created_dt=when, kind="transition",
            from_stage=from_stage, to_stage=to_stage, data={"trigger": "x"},
        )
    )  # fmt: skip
    item.state = to_stage
    session.flush()


def test_initiatives_per_stage_and_district(session, now):
    factories.initiative(session, now, title="Eerste")
    factories.initiative(session, now, title="Tweede")
    third = factories.initiative(session, now, title="Derde")
    third.neighbourhood_id = factories.neighbourhood(session, "Helpman").id
    third.state = "execution"
    session.flush()
    data = city_overview(session, now=now)
    assert data.districts == ["West", "Zuid"]
    assert data.counts == {("proposal", "West"): 2, ("execution", "Zuid"): 1}
    assert (data.stage_total("proposal"), data.district_total("Zuid"), data.total) == (2, 1, 3)
    keys = [key for key, _ in data.stages]
    assert keys.index("proposal") < keys.index("visioning") < keys.index("execution")


def test_stages_the_residents_added_are_counted_together(session, now):
    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    insert_stage(session, anna, item.id, after="proposal", title="Buurtfeest", description="",
                 now=now)  # fmt: skip
    item.state = next(p.stage_key for p in item.stage_plans if p.is_custom)
    session.flush()
    data = city_overview(session, now=now)
    assert data.counts == {(OWN_STAGE, "West"): 1}
    assert data.stages[-1][0] == OWN_STAGE


def test_days_in_each_stage_from_the_history(session, now):
    start = now - 60 * DAY
    first = factories.initiative(session, start, title="Eerste")
    _moved(session, first, start + 10 * DAY, "proposal", "visioning")
    _moved(session, first, start + 15 * DAY, "visioning", "execution")
    second = factories.initiative(session, start, title="Tweede")
    _moved(session, second, start + 20 * DAY, "proposal", "visioning")
    factories.initiative(session, start, title="Nog bezig")  # a stay not finished: not counted
    data = city_overview(session, now=now)
    spreads = {s.key: s for s in data.spreads}
    proposal = spreads["proposal"]
    assert (proposal.stays, proposal.median, proposal.minimum, proposal.maximum) == (
        2, 15.0, 10.0, 20.0,
    )  # fmt: skip
    assert (proposal.q1, proposal.q3) == (12.5, 17.5)
    assert (spreads["visioning"].stays, spreads["visioning"].median) == (1, 5.0)
    assert "execution" not in spreads


def test_going_back_to_a_stage_counts_as_a_second_stay(session, now):
    start = now - 30 * DAY
    item = factories.initiative(session, start)
    _moved(session, item, start + 4 * DAY, "proposal", "visioning")
    _moved(session, item, start + 6 * DAY, "visioning", "execution")
    _moved(session, item, start + 7 * DAY, "execution", "visioning")
    _moved(session, item, start + 13 * DAY, "visioning", "execution")
    spreads = {s.key: s for s in city_overview(session, now=now).spreads}
    assert (spreads["visioning"].stays, spreads["visioning"].median) == (2, 4.0)


@pytest.fixture
def answered(session, now):
    item = factories.initiative(session, now - 40 * DAY, members=1)
    anna = item.memberships[0].person
    coach = factories.staff(session, now)
    filed = now - 30 * DAY  # Wednesday 28 October: respond by Wednesday 11 November

    def request(**kw):
        return factories.filed_request(session, item, anna, filed, **kw)

    accept_support_request(session, coach, request().id, now=filed + 2 * DAY)
    decline_support_request(session, coach, request().id, reason="Nee.", now=filed + 14 * DAY)
    decline_support_request(session, coach, request().id, reason="Nee.", now=filed + 20 * DAY)
    request()  # still waiting, long past its date
    factories.filed_request(session, item, anna, now - DAY)  # waiting, within time
    withdraw_support_request(session, anna, request().id, now=filed + DAY)  # no verdict
    return item


def test_requests_answered_on_time(session, now, answered):
    on_time = city_overview(session, now=now).on_time
    assert (on_time.answered_on_time, on_time.answered_late) == (2, 1)
    assert (on_time.waiting_in_time, on_time.waiting_late) == (1, 1)
    assert on_time.share_on_time == pytest.approx(2 / 3)


def test_on_time_per_district(session, now, answered):
    data = city_overview(session, now=now)
    assert set(data.on_time_by_district) == {"West"}
    assert data.on_time_by_district["West"].answered == 3


def test_an_empty_city(session, now):
    data = city_overview(session, now=now)
    assert (data.total, data.spreads, data.on_time.share_on_time) == (0, [], None)


@pytest.mark.parametrize("days", [[3, 1, 8, 5, 2, 13, 21], [4, 9, 1, 16, 25, 36]])
def test_the_spread_is_the_quartiles_of_every_stay(session, now, days):
    start = now - 60 * DAY
    for n, stay in enumerate(days):
        item = factories.initiative(session, start, title=f"Verblijf {n}")
        _moved(session, item, start + stay * DAY, "proposal", "visioning")
    proposal = {s.key: s for s in city_overview(session, now=now).spreads}["proposal"]
    q1, median, q3 = statistics.quantiles(days, n=4, method="inclusive")
    assert proposal.stays == len(days)
    assert (proposal.minimum, proposal.maximum) == (min(days), max(days))
    assert (proposal.q1, proposal.median, proposal.q3) == pytest.approx((q1, median, q3))
