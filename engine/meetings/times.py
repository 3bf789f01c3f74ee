"""When a meeting is: the times the group types ("19:30", "9.15") read in the city's zone,
with an end that may fall on the next day (20:00 to 00:30) or on a day of its own (a weekend),
and a night across a change of the clocks counted at its real length."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from engine.errors import InvalidInput
from engine.i18n import msg, nmsg
from engine.timeutil import check_typed_date, zone

#: the longest meeting: a weekend event (Friday evening to Sunday afternoon) fits
MAX_LENGTH = timedelta(days=3)
_CLOCK = re.compile(r"\s*(\d{1,2})\s*[:.]\s*(\d{2})\s*")


def parse_clock(text: str, field: str) -> time:
    """A time of day typed as hours and minutes ("19:30", "9.15")."""
    found = _CLOCK.fullmatch(text or "")
    if found is None or int(found.group(1)) > 23 or int(found.group(2)) > 59:
        raise InvalidInput(
            msg("Enter the time as hours and minutes, for example 19:30."), field=field
        )
    return time(int(found.group(1)), int(found.group(2)))


def _city_moment(day: date, clock: time, tz: str, field: str) -> datetime:
    """The moment a clock in the city shows on ``day``; a time the clocks skip (the night
    summer time starts) is refused rather than silently moved."""
    moment = datetime.combine(day, clock, tzinfo=zone(tz))
    utc = moment.astimezone(zone("UTC"))
    if utc.astimezone(zone(tz)).replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise InvalidInput(
            msg("The clocks go forward that night: %(time)s does not exist. Choose another "
                "time.", time=clock.strftime("%H:%M")),
            field=field,
        )  # fmt: skip
    return utc


def meeting_times(
    day: date | None, starts_text: str, ends_text: str, end_day_given: date | None, tz: str
) -> tuple[datetime, datetime]:
    """The start and end in UTC of what the group typed: a day, a start and an end time, and
    the end's own day if it has one (else an end at or before the start is the next day)."""
    if day is None:
        raise InvalidInput(msg("Enter the day of the meeting."), field="day")
    check_typed_date(day, "day")
    check_typed_date(end_day_given, "end_day")
    starts = parse_clock(starts_text, "starts")
    ends = parse_clock(ends_text, "ends")
    end_day = end_day_given
    if end_day is None:  # 20:00 to 00:30: the end is on the next day
        end_day = day + timedelta(days=1) if ends <= starts else day
    start = _city_moment(day, starts, tz, "starts")
    end = _city_moment(end_day, ends, tz, "ends")
    if end <= start:
        raise InvalidInput(msg("The meeting must end after it starts."), field="ends")
    if end - start > MAX_LENGTH:
        raise InvalidInput(
            nmsg("A meeting lasts at most %(num)d day. Plan a longer event as more meetings.",
                 "A meeting lasts at most %(num)d days. Plan a longer event as more meetings.",
                 MAX_LENGTH.days),
            field="end_day",
        )  # fmt: skip
    return start, end
