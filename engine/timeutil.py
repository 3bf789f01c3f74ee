"""Times are stored in UTC and shown, and counted in days, in the city's time zone.

The zone is a parameter (``config_of(session).timezone``); without one, the default of
``VERBINDING_TIMEZONE`` applies. Nothing here reads the environment.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from engine.bounds import EARLIEST_DATE, LATEST_DATE
from engine.config import DEFAULT_TIMEZONE
from engine.errors import InvalidInput
from engine.i18n import msg


@lru_cache(maxsize=8)
def zone(name: str | None = None) -> ZoneInfo:
    return ZoneInfo(name or DEFAULT_TIMEZONE)


def local_date(moment: datetime, tz: str | None = None) -> date:
    """The calendar date of an aware moment in the city's time zone."""
    return moment.astimezone(zone(tz)).date()


def local(moment: datetime, tz: str | None = None) -> datetime:
    return moment.astimezone(zone(tz))


def check_typed_date(day: date | None, field: str) -> None:
    """A date a person entered lies within ``engine.bounds``; else a refusal on ``field``."""
    if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise InvalidInput(
            msg(
                "Choose a date from %(first)s to %(last)s.",
                first=EARLIEST_DATE.isoformat(),
                last=LATEST_DATE.isoformat(),
            ),
            field=field,
        )
