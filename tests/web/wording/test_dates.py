"""Dates read the same everywhere: "3 januari 2027", "3 jan. 2027, 08:00"; British in English."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from engine.dates import show, show_date, show_moment
from engine.db import utcnow
from engine.operations import set_target_date
from tests.factories import browse_as, initiative_with_group

WINTER = datetime(2027, 1, 3, 7, 0, 41, tzinfo=UTC)  # 08:00:41 in Groningen
SUMMER = datetime(2027, 7, 3, 6, 0, tzinfo=UTC)  # 08:00 in Groningen (summer time)


@pytest.mark.parametrize(
    ("value", "nl", "en"),
    [
        (date(2027, 1, 3), "3 januari 2027", "3 January 2027"),
        (WINTER, "3 jan. 2027, 08:00", "3 Jan 2027, 08:00"),
        (SUMMER, "3 jul. 2027, 08:00", "3 Jul 2027, 08:00"),
        (datetime(2027, 5, 12, 16, 5, tzinfo=UTC), "12 mei 2027, 18:05", "12 May 2027, 18:05"),
        # late in the evening in UTC is the next day in the city
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "1 jan. 2027, 00:30", "1 Jan 2027, 00:30"),
    ],
)
def test_one_format_for_a_day_and_one_for_a_moment(value, nl, en):
    assert show(value, "nl") == nl and show(value, "en") == en


def test_never_seconds_and_never_the_american_order():
    for language in ("nl", "en"):
        shown = show_moment(WINTER, language)
        assert ":41" not in shown and "AM" not in shown and "PM" not in shown
    assert show_date(WINTER, "en") == "3 January 2027"  # the day of a moment, in the city
    assert show(None, "nl") == ""


@pytest.mark.parametrize(
    ("locale", "target"),
    [("nl", "Streefdatum: 3 januari 2027"), ("en", "Target date: 3 January 2027")],
)
def test_the_initiative_page_shows_dates_in_the_readers_language(
    client, db_session, locale, target
):
    now = utcnow()
    item, (anna, _) = initiative_with_group(db_session, now)
    set_target_date(
        db_session, anna, item.id, stage_key=item.state, target_date=date(2027, 1, 3), now=now
    )
    db_session.commit()
    browse_as(client, anna, locale=locale)
    html = client.get(f"/initiatives/{item.id}").get_data(as_text=True)
    page = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert target in page
    # the moment the stage began: day, short month, year and the time to the minute
    moment = re.escape(show_moment(item.stage_entered_dt, locale))
    assert re.search(moment, page), moment
    assert not re.search(r"\d\d:\d\d:\d\d", page)  # never seconds
    assert not re.search(r"\b(AM|PM)\b", page)
