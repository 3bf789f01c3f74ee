"""Times are stored in UTC and shown, and counted in days, in the city's time zone."""

from __future__ import annotations

import os
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=4)
def zone(name: str | None = None) -> ZoneInfo:
    return ZoneInfo(name or os.environ.get("VERBINDING_TIMEZONE", "Europe/Amsterdam"))


def local_date(moment: datetime, tz: str | None = None) -> date:
    """The calendar date of an aware moment in the city's time zone."""
    return moment.astimezone(zone(tz)).date()


def local(moment: datetime, tz: str | None = None) -> datetime:
    return moment.astimezone(zone(tz))
