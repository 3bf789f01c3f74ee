"""The overview's kept "answered on time" tallies agree with the figure counted from scratch
(every support request read and judged), after any sequence of what happens to requests."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from engine.coach.health import is_late
from engine.coach.overview import OnTime, city_overview
from engine.config import config_of
from engine.errors import Refused
from engine.models import District, Initiative, Neighbourhood, SupportRequest
from engine.models.support import WAITING_STATUSES
from engine.operations import (
    accept_support_request,
    acknowledge_support_request,
    decline_support_request,
    deliver_support_request,
    file_support_request,
    withdraw_support_request,
)
from engine.timeutil import local_date
from tests import factories

HOUR = timedelta(hours=1)
ASKED, NO = "Graag het asfalt weghalen.", "Past niet in het budget."


def from_scratch(session, now) -> tuple[OnTime, dict[str, OnTime]]:
    """Every request of the city, judged one by one (what the overview once did)."""
    tz = config_of(session).timezone
    today = local_date(now, tz)
    rows = session.execute(
        select(District.name, SupportRequest.status, SupportRequest.respond_by_date)
        .add_columns(SupportRequest.answered_dt)
        .join(Initiative, Initiative.id == SupportRequest.initiative_id)
        .join(Neighbourhood, Neighbourhood.id == Initiative.neighbourhood_id)
        .join(District, District.id == Neighbourhood.district_id)
        .where(SupportRequest.respond_by_date.is_not(None))
    )
    total, by_district = OnTime(), {}
    for district, status, respond_by, answered in rows:
        if answered is not None:
            late = is_late(respond_by, local_date(answered, tz))
            name = "answered_late" if late else "answered_on_time"
        elif status in WAITING_STATUSES:
            name = "waiting_late" if is_late(respond_by, today) else "waiting_in_time"
        else:
            continue
        for bucket in (total, by_district.setdefault(district, OnTime())):
            setattr(bucket, name, getattr(bucket, name) + 1)
    return total, by_district


_STEP = st.tuples(
    st.sampled_from(["file", "acknowledge", "accept", "decline", "deliver", "withdraw", "erase"]),
    st.integers(0, 7),  # which request (or, to file, which initiative)
    st.integers(1, 24 * 9),  # hours since the step before: answers fall either side of a date
)


@settings(
    max_examples=20,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(_STEP, min_size=1, max_size=14), days_later=st.integers(0, 30))
def test_the_kept_tallies_equal_the_figure_counted_from_scratch(session, now, steps, days_later):
    nested = session.begin_nested()  # every example starts from the same city
    try:
        west = factories.initiative(session, now, members=1, title="Westplan")
        east = factories.initiative(session, now, members=1, title="Oostplan")
        east.neighbourhood_id = factories.neighbourhood(session, "Helpman").id
        session.flush()
        items = [west, east]
        coach = factories.staff(session, now)
        moment = now
        requests: list[int] = []
        members = {i.id: i.memberships[0].person for i in items}
        for action, which, hours in steps:
            moment += hours * HOUR
            item = items[which % 2]
            member = item.memberships[0].person
            try:
                with session.begin_nested():
                    if action == "file":
                        filed = file_support_request(
                            session, member, item.id, kind="works", description=ASKED, now=moment
                        )
                        requests.append(filed.id)
                        continue
                    if not requests:
                        continue
                    request_id = requests[which % len(requests)]
                    if action == "erase":
                        request = session.get(SupportRequest, request_id)
                        session.delete(request)
                        session.flush()
                        requests.remove(request_id)
                    elif action == "acknowledge":
                        acknowledge_support_request(session, coach, request_id, now=moment)
                    elif action == "accept":
                        accept_support_request(session, coach, request_id, now=moment)
                    elif action == "decline":
                        decline_support_request(session, coach, request_id, reason=NO, now=moment)
                    elif action == "deliver":
                        deliver_support_request(
                            session, coach, request_id, note="Het asfalt is weggehaald.", now=moment
                        )
                    else:
                        owner = members[session.get(SupportRequest, request_id).initiative_id]
                        withdraw_support_request(session, owner, request_id, now=moment)
            except Refused:
                pass  # not allowed in the request's state: nothing changed
        read_at = moment + timedelta(days=days_later)
        kept = city_overview(session, now=read_at)
        total, by_district = from_scratch(session, read_at)
        assert kept.on_time == total
        assert kept.on_time_by_district == by_district
    finally:
        nested.rollback()
