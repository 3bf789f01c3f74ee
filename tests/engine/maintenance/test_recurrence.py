"""Recurrence rules: RRULE text checked by dateutil, the friendly form, and the rule in words."""

from __future__ import annotations

import time
from datetime import date

import pytest

from engine.errors import InvalidInput
from engine.i18n import Msg
from engine.maintenance.recurrence import (
    RuleForm,
    build_rule,
    dates_between,
    form_of,
    next_dates,
    one_year_after,
    parse_rule,
)
from engine.maintenance.wording import describe

START = date(2026, 3, 1)  # a Sunday


@pytest.mark.parametrize(
    ("text", "canonical", "first"),
    [
        ("FREQ=WEEKLY;BYMONTH=5,6,7,8,9;BYDAY=SA", "FREQ=WEEKLY;BYMONTH=5,6,7,8,9;BYDAY=SA",
         [date(2026, 5, 2), date(2026, 5, 9), date(2026, 5, 16)]),
        ("RRULE:freq=monthly;byday=1MO", "FREQ=MONTHLY;BYDAY=1MO",
         [date(2026, 3, 2), date(2026, 4, 6), date(2026, 5, 4)]),
        ("FREQ=YEARLY;BYMONTH=4;BYDAY=1SA", "FREQ=YEARLY;BYMONTH=4;BYDAY=1SA",
         [date(2026, 4, 4), date(2027, 4, 3), date(2028, 4, 1)]),
        ("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=2", "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=2",
         [date(2026, 3, 31), date(2026, 4, 30)]),
        ("FREQ=DAILY;INTERVAL=10;UNTIL=20260321T000000Z", "FREQ=DAILY;INTERVAL=10;UNTIL=20260321",
         [date(2026, 3, 1), date(2026, 3, 11), date(2026, 3, 21)]),
    ],
)  # fmt: skip
def test_valid_rules_are_kept_in_a_canonical_form(text, canonical, first):
    rule = parse_rule(text, START)
    assert rule.text == canonical
    assert next_dates(rule, START, START, 3) == first


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Enter a recurrence rule"),
        ("every saturday", "This is not a recurrence rule"),
        ("FREQ=WEEKLY;FREQ=DAILY", "This is not a recurrence rule"),
        ("FREQ=HOURLY", "Say how often"),
        ("BYDAY=MO", "Say how often"),
        ("FREQ=WEEKLY;BYSETPOS=1", "BYSETPOS is not supported"),
        ("DTSTART:20260101\nRRULE:FREQ=DAILY", "Give only the rule"),
        ("FREQ=WEEKLY;INTERVAL=0", "The interval is a whole number"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY lists weekdays"),
        ("FREQ=WEEKLY;BYDAY=1MO", "only fits FREQ=MONTHLY"),
        ("FREQ=MONTHLY;BYDAY=6MO", "There is no such weekday"),
        ("FREQ=MONTHLY;BYMONTH=13", "BYMONTH lists months"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY lists days"),
        ("FREQ=DAILY;COUNT=0", "COUNT is a whole number"),
        ("FREQ=DAILY;UNTIL=2027", "UNTIL is a date"),
        ("FREQ=DAILY;UNTIL=20270230", "UNTIL is a date"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20270101", "not both"),
        ("FREQ=DAILY;UNTIL=20250101", "ends before it starts"),
        ("FREQ=WEEKLY;WKST=XX", "WKST is a weekday"),
        ("FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=20", "not both"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never happens"),
        ("FREQ=MONTHLY;INTERVAL=12;BYMONTH=5", "never happens"),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", "never happens"),
        ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "does not happen in the next 5 years"),
    ],
)
def test_invalid_rules_get_a_clear_message(text, says):
    started = time.perf_counter()
    with pytest.raises(InvalidInput) as caught:
        parse_rule(text, START)
    assert says in caught.value.message.render()
    assert time.perf_counter() - started < 1.0  # never a search up to the year 9999


def test_dates_between_includes_both_ends():
    rule = parse_rule("FREQ=WEEKLY;BYDAY=SU", START)
    assert dates_between(rule, START, START, date(2026, 3, 15)) == [
        date(2026, 3, 1),
        date(2026, 3, 8),
        date(2026, 3, 15),
    ]


def test_one_year_after_a_leap_day():
    assert one_year_after(date(2028, 2, 29)) == date(2029, 2, 28)
    assert one_year_after(date(2026, 11, 27)) == date(2027, 11, 27)


# --- the friendly form ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "text"),
    [
        (RuleForm("weekly", weekdays=("SA",), months=(9, 5, 6, 7, 8)),
         "FREQ=WEEKLY;BYMONTH=5,6,7,8,9;BYDAY=SA"),
        (RuleForm("weekly", interval=2, weekdays=("FR", "MO")),
         "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR"),
        (RuleForm("monthly", monthly_by="weekday", nth=1, nth_weekday="MO"),
         "FREQ=MONTHLY;BYDAY=1MO"),
        (RuleForm("monthly", monthly_by="day", month_day=-1), "FREQ=MONTHLY;BYMONTHDAY=-1"),
        (RuleForm("yearly", months=(4,), monthly_by="weekday", nth=1, nth_weekday="SA"),
         "FREQ=YEARLY;BYMONTH=4;BYDAY=1SA"),
        (RuleForm("yearly", monthly_by="day", month_day=15), "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15"),
        (RuleForm("daily", interval=3, until=date(2026, 12, 31)),
         "FREQ=DAILY;INTERVAL=3;UNTIL=20261231"),
    ],
)  # fmt: skip
def test_the_friendly_form_builds_the_rule_and_reads_it_back(form, text):
    rule = build_rule(form, START)
    assert rule.text == text
    back = form_of(rule)
    assert back is not None and build_rule(back, START).text == text


def test_the_friendly_form_explains_what_is_missing():
    with pytest.raises(InvalidInput) as caught:
        build_rule(RuleForm("monthly", monthly_by="weekday", nth=1), START)
    assert "which weekday" in caught.value.message.render()
    with pytest.raises(InvalidInput):
        build_rule(RuleForm("hourly"), START)
    with pytest.raises(InvalidInput) as caught:
        build_rule(RuleForm("weekly", interval=500), START)
    assert "interval" in caught.value.message.render()


def test_rules_the_form_cannot_show_need_the_advanced_field():
    for text in ("FREQ=DAILY;BYDAY=MO,TU", "FREQ=MONTHLY;BYMONTHDAY=1,15", "FREQ=WEEKLY;COUNT=4"):
        assert form_of(parse_rule(text, START)) is None


# --- in words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("FREQ=WEEKLY;BYMONTH=5,6,7,8,9;BYDAY=SA", "every week on Saturday, from May to September"),
        ("FREQ=MONTHLY;BYDAY=1MO", "every month on the first Monday"),
        ("FREQ=YEARLY;BYMONTH=4;BYDAY=1SA", "every year on the first Saturday, in April"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR", "every 2 weeks on Monday, Wednesday and Friday"),
        ("FREQ=WEEKLY", "every week on Sunday"),
        ("FREQ=DAILY;INTERVAL=3;BYMONTH=6,8", "every 3 days, in June and August"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=5", "every month on the last day, 5 times"),
        ("FREQ=MONTHLY;INTERVAL=3", "every 3 months on day 1"),
        ("FREQ=YEARLY", "every year on 1 March"),
        ("FREQ=YEARLY;BYMONTH=4,10", "every year on day 1, in April and October"),
        ("FREQ=WEEKLY;UNTIL=20270301", "every week on Sunday, until 1 March 2027"),
        ("FREQ=DAILY;BYDAY=MO,TU", "on a schedule of its own"),
    ],
)
def test_a_rule_in_words(text, words):
    described = describe(parse_rule(text, START), START)
    assert isinstance(described, Msg)
    assert described.render() == words


def test_the_words_are_messages_the_dutch_catalogue_can_translate():
    class Dutch:
        words = {"Saturday": "zaterdag", "May": "mei", "September": "september"}

        def gettext(self, message):
            if message == "every week on %(days)s":
                return "elke week op %(days)s"
            if message == "from %(first)s to %(last)s":
                return "van %(first)s tot en met %(last)s"
            return self.words.get(message, message)

        def ngettext(self, singular, plural, n):
            return self.gettext(singular if n == 1 else plural)

    rule = parse_rule("FREQ=WEEKLY;BYMONTH=5,6,7,8,9;BYDAY=SA", START)
    assert describe(rule, START).render(Dutch()) == (
        "elke week op zaterdag, van mei tot en met september"
    )
