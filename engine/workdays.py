"""Working days in the Netherlands: weekends and the Dutch public holidays do not count.

The holidays come from the ``holidays`` library (Koningsdag moves to the 26th when the 27th is
a Sunday; Bevrijdingsdag counts only in the years the library says it does), not from a list
kept by hand.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

COUNTRY = "NL"


@lru_cache(maxsize=64)
def _holidays_in(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(COUNTRY, years=year))


def holiday_name(day: date) -> str | None:
    """The (English) name of the public holiday on ``day``, if it is one."""
    return holidays.country_holidays(COUNTRY, years=day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays_in(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself never counts).

    A request filed on Friday with 1 working day is due on Monday; filed on Saturday, also
    on Monday. With ``days == 0`` the answer is ``start`` itself.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    left = days
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


@lru_cache(maxsize=1024)
def working_days_between(start: date, end: date) -> int:
    """How many working days lie after ``start`` up to and including ``end`` (0 if none).

    Cached: a caseload page asks it for every request waiting for an answer, and the answer
    for two dates never changes (the holidays of a year are fixed).
    """
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
