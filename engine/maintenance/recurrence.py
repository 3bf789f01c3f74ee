"""Recurrence rules: RFC 5545 RRULE values, evaluated by python-dateutil.

Residents mostly fill in a friendly form (:class:`RuleForm`) that :func:`build_rule` turns into
an RRULE; the advanced field takes an RRULE as written. Either way :func:`parse_rule` checks it
before anything is stored: only the parts a maintenance rota needs (FREQ of a day or longer,
INTERVAL, COUNT, UNTIL, BYDAY, BYMONTH, BYMONTHDAY, WKST), and a rule must happen within five
years. Rules that can never happen are refused by reasoning first, because dateutil would
search up to the year 9999 for a first date that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import cast

from dateutil.rrule import rrule, rrulestr

from engine.errors import InvalidInput
from engine.i18n import msg
from engine.timeutil import check_typed_date

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PARTS = ("FREQ", "INTERVAL", "BYMONTH", "BYMONTHDAY", "BYDAY", "COUNT", "UNTIL", "WKST")
MAX_INTERVAL = 99
MAX_COUNT = 1000
#: a rule must happen at least once this many years after its start
HORIZON_YEARS = 5
_LONGEST = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
_DAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL = re.compile(r"^(\d{8})(T\d{6}Z?)?$")


@dataclass(frozen=True)
class Rule:
    """A checked recurrence rule; ``text`` is its canonical RRULE value."""

    freq: str
    interval: int = 1
    months: tuple[int, ...] = ()
    month_days: tuple[int, ...] = ()
    #: (n, weekday): n = 0 for every such weekday, 1 for the first, -1 for the last…
    days: tuple[tuple[int, str], ...] = ()
    count: int | None = None
    until: date | None = None
    wkst: str | None = None

    @property
    def text(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.months:
            parts.append("BYMONTH=" + ",".join(map(str, self.months)))
        if self.month_days:
            parts.append("BYMONTHDAY=" + ",".join(map(str, self.month_days)))
        if self.days:
            parts.append("BYDAY=" + ",".join(f"{n or ''}{d}" for n, d in self.days))
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until:%Y%m%d}")
        if self.wkst:
            parts.append(f"WKST={self.wkst}")
        return ";".join(parts)


def _ints(value: str, low: int, high: int, *, allow_negative: bool = False) -> tuple[int, ...]:
    numbers = []
    for item in value.split(","):
        try:
            number = int(item)
        except ValueError:
            return ()
        if not (low <= abs(number) <= high) or (number < 0 and not allow_negative):
            return ()
        numbers.append(number)
    return tuple(dict.fromkeys(numbers))


def _tokens(text: str) -> dict[str, str]:
    text = (text or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text:
        raise InvalidInput(msg("Enter a recurrence rule, or use the form."))
    if ":" in text or "\n" in text:  # DTSTART, EXDATE or a second line
        raise InvalidInput(msg("Give only the rule (FREQ=…); the start date has its own field."))
    tokens: dict[str, str] = {}
    for item in filter(None, text.split(";")):
        key, sep, value = item.partition("=")
        key, value = key.strip().upper(), value.strip().upper()
        if not sep or not key.isalpha() or not value or key in tokens:
            raise InvalidInput(
                msg("This is not a recurrence rule. Write it like FREQ=WEEKLY;BYDAY=SA.")
            )
        if key not in PARTS:
            raise InvalidInput(
                msg(
                    "%(part)s is not supported here. Use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, "
                    "BYMONTH and BYMONTHDAY.",
                    part=key,
                )
            )
        tokens[key] = value
    return tokens


def _days(value: str, freq: str, months: tuple[int, ...]) -> tuple[tuple[int, str], ...]:
    days = []
    for item in value.split(","):
        found = _DAY.match(item)
        if not found:
            raise InvalidInput(
                msg("BYDAY lists weekdays: MO, TU, WE, TH, FR, SA, SU (or 1MO, -1FR).")
            )
        n = int(found.group(1) or 0)
        if n:
            if freq not in ("MONTHLY", "YEARLY"):
                raise InvalidInput(
                    msg("A number before a weekday (1MO) only fits FREQ=MONTHLY or FREQ=YEARLY.")
                )
            limit = 53 if freq == "YEARLY" and not months else 5
            if abs(n) > limit:
                raise InvalidInput(
                    msg("There is no such weekday: use 1 to 5, or -1 for the last one.")
                )
        days.append((n, found.group(2)))
    return tuple(dict.fromkeys(days))


def _from_tokens(tokens: dict[str, str]) -> Rule:
    freq = tokens.get("FREQ", "")
    if freq not in FREQUENCIES:
        raise InvalidInput(msg("Say how often: FREQ is DAILY, WEEKLY, MONTHLY or YEARLY."))
    interval = _ints(tokens.get("INTERVAL", "1"), 1, MAX_INTERVAL)
    if len(interval) != 1:
        raise InvalidInput(
            msg("The interval is a whole number from 1 to %(max)d.", max=MAX_INTERVAL)
        )
    months = _ints(tokens["BYMONTH"], 1, 12) if "BYMONTH" in tokens else ()
    if "BYMONTH" in tokens and not months:
        raise InvalidInput(msg("BYMONTH lists months, from 1 to 12."))
    month_days = (
        _ints(tokens["BYMONTHDAY"], 1, 31, allow_negative=True) if "BYMONTHDAY" in tokens else ()
    )
    if "BYMONTHDAY" in tokens and not month_days:
        raise InvalidInput(
            msg("BYMONTHDAY lists days of the month, from 1 to 31 (or -1 for the last).")
        )
    days = _days(tokens["BYDAY"], freq, months) if "BYDAY" in tokens else ()
    count = None
    if "COUNT" in tokens:
        counted = _ints(tokens["COUNT"], 1, MAX_COUNT)
        if len(counted) != 1:
            raise InvalidInput(msg("COUNT is a whole number from 1 to %(max)d.", max=MAX_COUNT))
        count = counted[0]
    until = None
    if "UNTIL" in tokens:
        found = _UNTIL.match(tokens["UNTIL"])
        try:
            until = datetime.strptime(found.group(1), "%Y%m%d").date() if found else None
        except ValueError:
            until = None
        if until is None:
            raise InvalidInput(msg("UNTIL is a date, written like 20271231."))
    if count is not None and until is not None:
        raise InvalidInput(msg("Give COUNT or UNTIL, not both."))
    wkst = tokens.get("WKST")
    if wkst is not None and wkst not in WEEKDAYS:
        raise InvalidInput(msg("WKST is a weekday: MO, TU, WE, TH, FR, SA or SU."))
    return Rule(freq, interval[0], months, month_days, days, count, until, wkst)


def _months_visited(rule: Rule, starts_on: date) -> set[int]:
    """The months a rule's periods fall in, before its BY-parts filter them."""
    every = set(range(1, 13))
    if rule.freq == "MONTHLY":
        every = {(starts_on.month - 1 + k * rule.interval) % 12 + 1 for k in range(12)}
    months = set(rule.months) or every
    if rule.freq == "MONTHLY":
        months &= every
    return months


def _check_possible(rule: Rule, starts_on: date) -> None:
    never = msg("This rule never happens: check the months and days.")
    if any(n for n, _ in rule.days) and rule.month_days:
        raise InvalidInput(
            msg("Give a weekday with a number (1MO) or a day of the month, not both.")
        )
    months = _months_visited(rule, starts_on)
    if not months:
        raise InvalidInput(never)
    if rule.month_days and not any(abs(d) <= _LONGEST[m] for m in months for d in rule.month_days):
        raise InvalidInput(never)
    if (
        rule.freq == "DAILY"
        and rule.interval % 7 == 0
        and rule.days
        and WEEKDAYS[starts_on.weekday()] not in {d for _, d in rule.days}
    ):
        raise InvalidInput(never)
    if rule.until is not None and rule.until < starts_on:
        raise InvalidInput(msg("The rule ends before it starts."))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


@lru_cache(maxsize=2048)
def _compiled(text: str, starts_on: date) -> rrule:
    # a single RRULE value (a Rule's text) and no forceset: rrulestr gives an rrule, not a set
    return cast(rrule, rrulestr(text, dtstart=_midnight(starts_on)))


def parse_rule(text: str, starts_on: date) -> Rule:
    """Check an RRULE value (with or without ``RRULE:``) for a task starting on ``starts_on``."""
    check_typed_date(starts_on, "starts_on")
    rule = _from_tokens(_tokens(text))
    check_typed_date(rule.until, "until")
    _check_possible(rule, starts_on)
    try:
        first = _compiled(rule.text, starts_on).after(_midnight(starts_on), inc=True)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidInput(
            msg("This recurrence rule is not valid. Check it, or use the form.")
        ) from exc
    if first is None or first.date() > _add_years(starts_on, HORIZON_YEARS):
        raise InvalidInput(
            msg("This rule does not happen in the next %(years)d years.", years=HORIZON_YEARS)
        )
    return rule


def dates_between(rule: Rule | str, starts_on: date, first: date, last: date) -> list[date]:
    """The dates the rule happens on from ``first`` to ``last``, both included."""
    text = rule.text if isinstance(rule, Rule) else rule
    found = _compiled(text, starts_on).between(_midnight(first), _midnight(last), inc=True)
    return [moment.date() for moment in found]


def next_dates(rule: Rule | str, starts_on: date, after: date, count: int) -> list[date]:
    """Up to ``count`` dates on or after ``after``."""
    text = rule.text if isinstance(rule, Rule) else rule
    compiled = _compiled(text, starts_on)
    found: list[date] = []
    moment = compiled.after(_midnight(after), inc=True)
    while moment is not None and len(found) < count:
        found.append(moment.date())
        moment = compiled.after(moment)
    return found


def _add_years(day: date, years: int) -> date:
    if day.year + years > date.max.year:  # the calendar ends; so does any search past it
        return date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def one_year_after(day: date) -> date:
    """The same date a year later (28 February for 29 February)."""
    return _add_years(day, 1)


# --- the friendly form ------------------------------------------------------------------------


@dataclass
class RuleForm:
    """What residents fill in instead of writing an RRULE."""

    #: daily, weekly, monthly or yearly
    freq: str = "weekly"
    interval: int = 1
    #: weekly: on these days (MO…SU); none means the start date's weekday
    weekdays: tuple[str, ...] = ()
    #: only in these months (1–12); none means all year
    months: tuple[int, ...] = ()
    #: monthly and yearly: ``day`` (a day of the month) or ``weekday`` (the nth weekday)
    monthly_by: str = "day"
    #: 1–31, or -1 for the last day
    month_day: int | None = None
    #: 1–5, or -1 for the last
    nth: int | None = None
    nth_weekday: str | None = None
    until: date | None = None


def build_rule(form: RuleForm, starts_on: date) -> Rule:
    """Turn the friendly form into a checked rule."""
    freq = (form.freq or "").upper()
    if freq not in FREQUENCIES:
        raise InvalidInput(msg("Choose how often: every day, week, month or year."))
    parts = [f"FREQ={freq}", f"INTERVAL={form.interval}"]
    months = sorted(set(form.months))
    if freq == "YEARLY" and not months and (form.monthly_by == "weekday" or form.month_day):
        months = [starts_on.month]  # otherwise a yearly day of the month means every month
    if months:
        parts.append("BYMONTH=" + ",".join(str(m) for m in months))
    if freq == "WEEKLY" and form.weekdays:
        parts.append("BYDAY=" + ",".join(d for d in WEEKDAYS if d in form.weekdays))
    if freq in ("MONTHLY", "YEARLY"):
        if form.monthly_by == "weekday":
            if not form.nth or not form.nth_weekday:
                raise InvalidInput(
                    msg("Choose which weekday of the month, for example the first Monday.")
                )
            parts.append(f"BYDAY={form.nth}{form.nth_weekday}")
        elif form.month_day:
            parts.append(f"BYMONTHDAY={form.month_day}")
    if form.until is not None:
        parts.append(f"UNTIL={form.until:%Y%m%d}")
    return parse_rule(";".join(parts), starts_on)


def form_of(rule: Rule) -> RuleForm | None:
    """The friendly form that gives this rule, or None when only the advanced field can."""
    if rule.count is not None or rule.wkst or len(rule.month_days) > 1:
        return None
    form = RuleForm(freq=rule.freq.lower(), interval=rule.interval, months=rule.months)
    form.until = rule.until
    numbered = [(n, d) for n, d in rule.days if n]
    if rule.freq in ("DAILY",) and (rule.days or rule.month_days):
        return None
    if rule.freq == "WEEKLY":
        if numbered or rule.month_days:
            return None
        form.weekdays = tuple(d for _, d in rule.days)
        return form
    if rule.freq in ("MONTHLY", "YEARLY"):
        if rule.days and (len(rule.days) != 1 or not numbered or abs(numbered[0][0]) > 5):
            return None
        if rule.days:
            form.monthly_by, form.nth, form.nth_weekday = "weekday", *numbered[0]
        elif rule.month_days:
            form.monthly_by, form.month_day = "day", rule.month_days[0]
    return form
