"""Forms of the meeting and support pages. The engine checks the content; these only parse it."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from engine.meetings.operations import MAX_CAPACITY
from engine.meetings.paper import MAX_PEOPLE as MAX_PAPER_PEOPLE
from web.date_input import DatePartsField
from web.i18n import lazy_gettext as _l
from web.inputs import Form, NumberField

ANSWER_CHOICES = [
    SelectChoice("going", _l("I am going")),
    SelectChoice("maybe", _l("Maybe")),
    SelectChoice("not", _l("I am not going")),
]


class MeetingForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(_l("Give the meeting a title."))])
    day = DatePartsField(_l("Day"), required=True)
    starts = StringField(_l("Starts at"), validators=[InputRequired(_l("Enter the start time."))])
    ends = StringField(_l("Ends at"), validators=[InputRequired(_l("Enter the end time."))])
    end_day = DatePartsField(_l("Ends on another day (optional)"))
    place = StringField(_l("Place"), validators=[InputRequired(_l("Say where the meeting is."))])
    address = StringField(
        _l("Address"), validators=[InputRequired(_l("Give the address of the place."))]
    )
    capacity = NumberField(_l("How many people can come"), maximum=MAX_CAPACITY,
                           validators=[Optional()])  # fmt: skip
    accessibility = TextAreaField(_l("Accessibility"), validators=[Optional()])


class AnswerForm(Form):
    answer = RadioField(
        _l("Are you coming?"),
        choices=ANSWER_CHOICES,
        validators=[InputRequired(message=_l("Choose going, maybe or not going."))],
    )


class MessageForm(Form):
    text = TextAreaField(
        _l("Message to everyone going"),
        validators=[InputRequired(message=_l("Write the message."))],
    )


class CancelForm(Form):
    reason = TextAreaField(_l("Why (those going read it in the history)"), validators=[Optional()])


class PaperForm(Form):
    name = StringField(
        _l("Name on the list"),
        validators=[InputRequired(_l("Write the name as it is on the list."))],
    )
    people = NumberField(_l("How many people"), maximum=MAX_PAPER_PEOPLE, validators=[Optional()])


class MinutesForm(Form):
    document = SelectField(
        _l("Minutes (verslag)"),
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose the document with the minutes."))],
    )


class SupportForm(Form):
    neighbourhood_id = SelectField(_l("Your neighbourhood"), validate_choice=False)
    show_name = BooleanField(_l("Show my name (else: “a resident of” your neighbourhood)"))
