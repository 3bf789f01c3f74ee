"""Dates and times as people read them: one format for a day, one for a moment, never seconds.

Dutch: "3 januari 2027" and "3 jan. 2027, 08:00"; English in the British way: "3 January 2027"
and "3 Jan 2027, 08:00". A moment is shown in the city's time zone. Pages reach these through
the ``when`` and ``day`` filters (web/i18n.py), mail through ``compose``; nothing else formats a
date for a person.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, get_month_names

from engine.timeutil import local

#: the language of the UI → the locale whose date formats it uses
FORMAT_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


@lru_cache(maxsize=8)
def _locale(language: str) -> Locale:
    return Locale.parse(FORMAT_LOCALES.get(language, FORMAT_LOCALES["nl"]))


@lru_cache(maxsize=8)
def _short_months(language: str) -> dict[int, str]:
    """Month abbreviations; Dutch ones take a full stop where letters are left out ("jan.",
    but "mei")."""
    where = _locale(language)
    short = get_month_names("abbreviated", locale=where)
    if language != "nl":
        return dict(short)
    wide = get_month_names("wide", locale=where)
    return {m: name if name == wide[m] else f"{name.rstrip('.')}." for m, name in short.items()}


def _in_city(moment: datetime, tz: str | None) -> datetime:
    """A stored moment (UTC; a naive one is UTC too) in the city's time zone."""
    return local(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC), tz)


@lru_cache(maxsize=4096)
def _long_date(value: date, language: str) -> str:
    """Babel's long day, formatted once per day and language (a page shows dozens)."""
    return format_date(value, "long", locale=_locale(language))


def _clock(value: datetime) -> str:
    """The time "08:00": Babel's ``HH:mm``, the same in every language we speak."""
    return f"{value.hour:02d}:{value.minute:02d}"


def show_date(value: date | datetime, language: str = "nl", tz: str | None = None) -> str:
    """A day in full: "3 januari 2027", "3 January 2027" (a moment: its day in the city)."""
    if isinstance(value, datetime):
        value = _in_city(value, tz).date()
    return _long_date(value, language if language in FORMAT_LOCALES else "nl")


def show_moment(value: datetime, language: str = "nl", tz: str | None = None) -> str:
    """A moment, short, to the minute: "3 jan. 2027, 08:00", "3 Jan 2027, 08:00"."""
    value = _in_city(value, tz)
    month = _short_months(language)[value.month]
    return f"{value.day} {month} {value.year}, {_clock(value)}"


def show_clock(value: datetime, language: str = "nl", tz: str | None = None) -> str:
    """Only the time of a moment in the city: "21:30" (the end of a meeting on the same day)."""
    return _clock(_in_city(value, tz))


def show(value: date | datetime | None, language: str = "nl", tz: str | None = None) -> str:
    """A day as :func:`show_date`, a moment as :func:`show_moment`, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return show_moment(value, language, tz)
    return show_date(value, language, tz)
