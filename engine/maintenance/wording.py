"""A recurrence rule in words, as a translatable message ("every week on Saturday, from May to
September"). Each piece is its own message, so the Dutch catalogue can say it in Dutch word
order; a rule the friendly form cannot express is shown as its RRULE text.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from engine.i18n import Msg, msg, nmsg
from engine.maintenance.recurrence import WEEKDAYS, Rule, form_of

WEEKDAY_NAMES = {
    "MO": msg("Monday"),
    "TU": msg("Tuesday"),
    "WE": msg("Wednesday"),
    "TH": msg("Thursday"),
    "FR": msg("Friday"),
    "SA": msg("Saturday"),
    "SU": msg("Sunday"),
}
MONTH_NAMES = {
    1: msg("January"),
    2: msg("February"),
    3: msg("March"),
    4: msg("April"),
    5: msg("May"),
    6: msg("June"),
    7: msg("July"),
    8: msg("August"),
    9: msg("September"),
    10: msg("October"),
    11: msg("November"),
    12: msg("December"),
}
ORDINALS = {
    1: msg("first"),
    2: msg("second"),
    3: msg("third"),
    4: msg("fourth"),
    5: msg("fifth"),
    -1: msg("last"),
}


def join(items: list[Msg]) -> Msg:
    """ "a, b and c" in the reader's language."""
    if len(items) == 1:
        return items[0]
    return msg("%(items)s and %(last)s", items=_comma(items[:-1]), last=items[-1])


def _comma(items: list[Msg]) -> Msg:
    if len(items) == 1:
        return items[0]
    return msg("%(first)s, %(rest)s", first=items[0], rest=_comma(items[1:]))


def a_date(day: date) -> Msg:
    return msg(
        "%(day)d %(month)s %(year)d", day=day.day, month=MONTH_NAMES[day.month], year=day.year
    )


def _months(months: tuple[int, ...]) -> Msg:
    ordered = sorted(months)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return msg(
            "from %(first)s to %(last)s",
            first=MONTH_NAMES[ordered[0]],
            last=MONTH_NAMES[ordered[-1]],
        )
    return msg("in %(months)s", months=join([MONTH_NAMES[m] for m in ordered]))


def _day_of_month(
    day: int | None, nth: int | None, weekday: str | None, n: int, yearly: bool
) -> Msg:
    if nth and weekday:
        if yearly:
            return nmsg(
                "every year on the %(nth)s %(weekday)s",
                "every %(num)d years on the %(nth)s %(weekday)s",
                n,
                nth=ORDINALS[nth],
                weekday=WEEKDAY_NAMES[weekday],
            )
        return nmsg(
            "every month on the %(nth)s %(weekday)s",
            "every %(num)d months on the %(nth)s %(weekday)s",
            n,
            nth=ORDINALS[nth],
            weekday=WEEKDAY_NAMES[weekday],
        )
    if day == -1:
        if yearly:
            return nmsg("every year on the last day", "every %(num)d years on the last day", n)
        return nmsg("every month on the last day", "every %(num)d months on the last day", n)
    if yearly:
        return nmsg("every year on day %(day)d", "every %(num)d years on day %(day)d", n, day=day)
    return nmsg("every month on day %(day)d", "every %(num)d months on day %(day)d", n, day=day)


def describe(rule: Rule, starts_on: date) -> Msg:
    """The rule in words; dates the rule leaves open come from its start date."""
    form = form_of(replace(rule, count=None, wkst=None))
    if form is None or (
        rule.freq == "YEARLY" and not rule.months and (rule.days or rule.month_days)
    ):
        return msg("on a schedule of its own")
    n = rule.interval
    months = rule.months
    if rule.freq == "DAILY":
        text = nmsg("every day", "every %(num)d days", n)
    elif rule.freq == "WEEKLY":
        days = form.weekdays or (WEEKDAYS[starts_on.weekday()],)
        text = nmsg(
            "every week on %(days)s",
            "every %(num)d weeks on %(days)s",
            n,
            days=join([WEEKDAY_NAMES[d] for d in days]),
        )
    elif rule.freq == "YEARLY" and not (rule.days or rule.month_days) and len(months) <= 1:
        text = nmsg(
            "every year on %(day)d %(month)s",
            "every %(num)d years on %(day)d %(month)s",
            n,
            day=starts_on.day,
            month=MONTH_NAMES[months[0] if months else starts_on.month],
        )
        months = ()
    else:
        day = form.month_day or (None if form.nth else starts_on.day)
        text = _day_of_month(day, form.nth, form.nth_weekday, n, rule.freq == "YEARLY")
    if months:
        text = msg("%(rule)s, %(months)s", rule=text, months=_months(months))
    if rule.until is not None:
        text = msg("%(rule)s, until %(date)s", rule=text, date=a_date(rule.until))
    if rule.count is not None:
        text = nmsg("%(rule)s, once", "%(rule)s, %(num)d times", rule.count, rule=text)
    return text
