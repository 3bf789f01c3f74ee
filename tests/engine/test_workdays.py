"""Respond-by dates count working days: weekends and Dutch public holidays do not count."""

from __future__ import annotations

from datetime import date

import pytest

from engine.workdays import add_working_days, holiday_name, is_working_day, working_days_between


def test_an_ordinary_week_counts_monday_to_friday():
    monday = date(2026, 3, 2)
    assert add_working_days(monday, 1) == date(2026, 3, 3)
    assert add_working_days(monday, 4) == date(2026, 3, 6)  # Friday
    assert add_working_days(monday, 5) == date(2026, 3, 9)  # the weekend is skipped


@pytest.mark.parametrize(
    ("filed", "expected"),
    [
        (date(2026, 3, 6), date(2026, 3, 9)),  # Friday → Monday
        (date(2026, 3, 7), date(2026, 3, 9)),  # Saturday → Monday
        (date(2026, 3, 8), date(2026, 3, 9)),  # Sunday → Monday
    ],
)
def test_one_working_day_after_the_end_of_the_week_is_monday(filed, expected):
    assert add_working_days(filed, 1) == expected


def test_koningsdag_is_not_a_working_day():
    # 27 April 2026 is a Monday and Koningsdag
    assert holiday_name(date(2026, 4, 27)) is not None
    assert not is_working_day(date(2026, 4, 27))
    assert add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)


def test_koningsdag_moves_to_saturday_when_the_27th_is_a_sunday():
    # in 2025 the 27th was a Sunday: Koningsdag was Saturday 26 April
    assert holiday_name(date(2025, 4, 26)) is not None
    assert holiday_name(date(2025, 4, 27)) is None


def test_christmas_and_new_year_are_skipped():
    # Thursday 24 December 2026 + 1 working day: Friday 25 and Saturday 26 are Christmas,
    # then the weekend: Monday 28 December
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 28)
    # ten working days from Monday 21 December 2026 cross Christmas and New Year
    assert add_working_days(date(2026, 12, 21), 10) == date(2027, 1, 6)


def test_easter_monday_ascension_and_whit_monday_are_holidays():
    for day in (date(2026, 4, 6), date(2026, 5, 14), date(2026, 5, 25)):
        assert not is_working_day(day), day


def test_the_default_ten_working_days_from_a_november_friday():
    # the tests' clock is Friday 27 November 2026: ten working days is Friday 11 December
    assert add_working_days(date(2026, 11, 27), 10) == date(2026, 12, 11)


def test_zero_days_is_the_day_itself_and_negative_days_are_refused():
    assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 7), -1)


def test_working_days_between_counts_the_days_after_the_start():
    monday = date(2026, 3, 2)
    assert working_days_between(monday, monday) == 0
    assert working_days_between(monday, date(2026, 3, 9)) == 5
    assert working_days_between(date(2026, 4, 24), date(2026, 4, 28)) == 1  # Koningsdag
    assert working_days_between(date(2026, 3, 9), monday) == 0
