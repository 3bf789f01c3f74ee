"""Forms of the maintenance pages. The engine checks the content; these only parse it."""

from __future__ import annotations

from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from engine.bounds import MAX_SMALL_NUMBER
from engine.maintenance.recurrence import RuleForm
from engine.wording import ASSOCIATION_ROLE_WORDS
from web.date_input import DatePartsField
from web.i18n import lazy_gettext as _l
from web.i18n import lazy_msg
from web.inputs import Form, NumberField, parse_count, parse_id

WEEKDAY_CHOICES = [
    SelectChoice("MO", _l("Monday")),
    SelectChoice("TU", _l("Tuesday")),
    SelectChoice("WE", _l("Wednesday")),
    SelectChoice("TH", _l("Thursday")),
    SelectChoice("FR", _l("Friday")),
    SelectChoice("SA", _l("Saturday")),
    SelectChoice("SU", _l("Sunday")),
]
MONTH_CHOICES = [
    SelectChoice("1", _l("January")),
    SelectChoice("2", _l("February")),
    SelectChoice("3", _l("March")),
    SelectChoice("4", _l("April")),
    SelectChoice("5", _l("May")),
    SelectChoice("6", _l("June")),
    SelectChoice("7", _l("July")),
    SelectChoice("8", _l("August")),
    SelectChoice("9", _l("September")),
    SelectChoice("10", _l("October")),
    SelectChoice("11", _l("November")),
    SelectChoice("12", _l("December")),
]
FREQ_CHOICES = [
    SelectChoice("daily", _l("Every day")),
    SelectChoice("weekly", _l("Every week")),
    SelectChoice("monthly", _l("Every month")),
    SelectChoice("yearly", _l("Every year")),
]
NTH_CHOICES = [
    SelectChoice("1", _l("first")),
    SelectChoice("2", _l("second")),
    SelectChoice("3", _l("third")),
    SelectChoice("4", _l("fourth")),
    SelectChoice("-1", _l("last")),
]
BOARD_CHOICES = [
    SelectChoice("", _l("Not a member")),
    *(SelectChoice(role, lazy_msg(words.label)) for role, words in ASSOCIATION_ROLE_WORDS.items()),
]


def _date(label):
    return DatePartsField(label)


class AssociationForm(Form):
    name = StringField(
        _l("Name of the association"),
        validators=[
            DataRequired(message=_l("Give the association its name.")),
            Length(max=200, message=_l("The association needs a name of 2 to 200 characters.")),
        ],
    )
    kvk_number = StringField(_l("KvK number"), validators=[Optional()])
    contact_person = SelectField(_l("Contact person"), validate_choice=False)


class AgreementForm(Form):
    association_duties = TextAreaField(
        _l("What the association takes on"),
        validators=[DataRequired(message=_l("Describe what the association takes on."))],
    )
    municipality_duties = TextAreaField(
        _l("What the municipality keeps doing"),
        validators=[DataRequired(message=_l("Describe what the municipality keeps doing."))],
    )
    start_date = DatePartsField(_l("Start date"), required=True)
    review_date = _date(_l("Review date"))


REVIEW_CHOICES = [
    SelectChoice("renew", _l("Renew the agreement")),
    SelectChoice(
        "send_back", _l("Go back to an earlier stage (the association keeps maintaining)")
    ),
    SelectChoice("end", _l("End the agreement")),
]


class ReviewForm(Form):
    outcome = RadioField(
        _l("What does the review decide?"),
        choices=REVIEW_CHOICES,
        validators=[InputRequired(message=_l("Choose what the review decides."))],
    )
    next_review = _date(_l("Next review date"))
    back_to = SelectField(_l("Back to stage"), validate_choice=False)
    note = TextAreaField(
        _l("Why"),
        validators=[Optional(), Length(max=2000, message=_l("At most 2,000 characters."))],
    )


class TaskForm(Form):
    """A task, with its rule as the friendly form or as RRULE text (which then wins)."""

    title = StringField(
        _l("Task"),
        validators=[
            DataRequired(message=_l("Name the task.")),
            Length(max=200, message=_l("A task needs a name of 2 to 200 characters.")),
        ],
    )
    description = TextAreaField(_l("What to do"), validators=[Optional()])
    starts_on = DatePartsField(_l("From"), required=True)
    freq = SelectField(
        _l("How often"),
        choices=FREQ_CHOICES,
        default="weekly",
        validators=[InputRequired(message=_l("Choose how often."))],
    )
    interval = NumberField(
        _l("Every how many (days, weeks, months or years)"),
        maximum=MAX_SMALL_NUMBER,
        default=1,
        validators=[
            InputRequired(message=_l("Enter a number from 1 to 99.")),
            NumberRange(1, 99, message=_l("Enter a number from 1 to 99.")),
        ],
    )
    weekdays = SelectMultipleField(_l("On these days (every week)"), choices=WEEKDAY_CHOICES)
    months = SelectMultipleField(_l("Only in these months"), choices=MONTH_CHOICES)
    monthly_by = RadioField(
        _l("Which day (every month or year)"),
        choices=[
            SelectChoice("day", _l("A day of the month")),
            SelectChoice("weekday", _l("A weekday of the month")),
        ],
        default="day",
    )
    month_day = SelectField(
        _l("Day of the month"),
        choices=[SelectChoice("", _l("The day of the start date"))]
        + [SelectChoice(str(d), str(d)) for d in range(1, 32)]
        + [SelectChoice("-1", _l("The last day"))],
        default="",
    )
    nth = SelectField(_l("Which one"), choices=NTH_CHOICES, default="1")
    nth_weekday = SelectField(_l("Weekday"), choices=WEEKDAY_CHOICES, default="MO")
    until = _date(_l("Until"))
    advanced = StringField(_l("Rule as RRULE (advanced)"), validators=[Optional()])
    volunteers = SelectMultipleField(_l("Who takes turns"), validate_choice=False)

    def rule_form(self) -> RuleForm:
        return RuleForm(
            freq=self.freq.data or "",
            interval=self.interval.data or 1,
            weekdays=tuple(self.weekdays.data or ()),
            months=tuple(n for m in self.months.data or () if (n := parse_count(m)) is not None),
            monthly_by=self.monthly_by.data or "day",
            month_day=parse_count(self.month_day.data),
            nth=parse_count(self.nth.data),
            nth_weekday=self.nth_weekday.data or None,
            until=self.until.data,
        )

    def fill_from(self, rule: RuleForm | None, text: str) -> None:
        """Show a stored rule: in the friendly fields when they can say it, else as text."""
        if rule is None:
            self.advanced.data = text
            return
        self.freq.data, self.interval.data = rule.freq, rule.interval
        self.weekdays.data = list(rule.weekdays)
        self.months.data = [str(m) for m in rule.months]
        self.monthly_by.data = rule.monthly_by
        self.month_day.data = str(rule.month_day) if rule.month_day else ""
        self.nth.data = str(rule.nth) if rule.nth else "1"
        self.nth_weekday.data = rule.nth_weekday or "MO"
        self.until.data = rule.until


class TurnForm(Form):
    """Done, missed or skipped (the button pressed), with a short note."""

    outcome = RadioField(
        choices=[SelectChoice("done"), SelectChoice("missed"), SelectChoice("skipped")],
        validators=[InputRequired(message=_l("Choose done, missed or skip."))],
    )
    note = StringField(
        _l("Note"),
        validators=[Optional(), Length(max=500, message=_l("A note has at most 500 characters."))],
    )


class SwapForm(Form):
    """Another turn to swap with (``turn-<id>``) or someone to take the turn (``person-<id>``)."""

    other = RadioField(
        _l("Swap with"),
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose a turn to swap with, or someone."))],
    )
    note = StringField(
        _l("A word for them"),
        validators=[Optional(), Length(max=500, message=_l("A note has at most 500 characters."))],
    )

    def target(self) -> tuple[int | None, int | None]:
        """(another turn's id, a person's id): what was chosen, one of the two."""
        kind, _, number = (self.other.data or "").partition("-")
        found = parse_id(number)
        if found is None:
            return None, None
        if kind == "turn":
            return found, None
        if kind == "person":
            return None, found
        return None, None


class SwapAnswerForm(Form):
    """Yes or no (the button pressed) to a question to swap a turn."""

    swap = NumberField(validators=[InputRequired(message=_l("Choose a question to answer."))])
    answer = RadioField(
        choices=[SelectChoice("accept"), SelectChoice("decline")],
        validators=[InputRequired(message=_l("Say yes or no to the question."))],
    )


class SwapWithdrawForm(Form):
    swap = NumberField(validators=[InputRequired(message=_l("Choose a question to withdraw."))])
