"""Dates at the calendar's edges: the engine refuses them where a person typed them, and its
reminder planning and recurrence never overflow on them anyway."""

from __future__ import annotations

from datetime import date

import pytest

from engine.errors import InvalidInput
from engine.maintenance.recurrence import dates_between, next_dates, one_year_after, parse_rule
from engine.reminders.rules import remind_on
from engine.timeutil import check_typed_date


@pytest.mark.parametrize("day", [date.min, date(1999, 12, 31), date(2100, 1, 1), date.max])
def test_a_typed_date_outside_the_range_is_refused_on_its_field(day):
    with pytest.raises(InvalidInput) as refused:
        check_typed_date(day, "due_date")
    assert refused.value.field == "due_date"
    assert "2000-01-01" in refused.value.message.render()


@pytest.mark.parametrize("start", [date.min, date.max, date(9999, 12, 1)])
def test_a_task_starting_at_the_edge_is_refused_not_crashed(start):
    for rule in ("FREQ=WEEKLY", "FREQ=YEARLY", "FREQ=MONTHLY;BYMONTHDAY=31"):
        with pytest.raises(InvalidInput):
            parse_rule(rule, start)
    with pytest.raises(InvalidInput):
        parse_rule("FREQ=DAILY;UNTIL=99991231", date(2027, 1, 1))


def test_planning_at_the_edges_does_not_overflow():
    assert remind_on(date.min, 7) == date.min
    assert remind_on(date(2027, 1, 8), 7) == date(2027, 1, 1)
    assert one_year_after(date.max) == date.max
    assert dates_between("FREQ=YEARLY", date(9999, 12, 1), date(9999, 12, 1), date.max) == [
        date(9999, 12, 1)
    ]
    assert next_dates("FREQ=WEEKLY", date(9999, 12, 20), date(9999, 12, 20), 5) == [
        date(9999, 12, 20), date(9999, 12, 27)
    ]  # fmt: skip
